/// TransportError is a failure of the network layer: the listening socket or libevent itself.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    /// The address could not be resolved or bound (port in use, no permission…).
    case cannotListen(address: String, reason: String)
    /// libevent could not create its loop, an event or its HTTP server.
    case eventLoop(String)
    /// The TLS certificate or key could not be used.
    case tls(String)

    public var description: String {
        switch self {
        case let .cannotListen(address, reason): "cannot listen on \(address): \(reason)"
        case let .eventLoop(reason): "event loop: \(reason)"
        case let .tls(reason): "TLS: \(reason)"
        }
    }
}

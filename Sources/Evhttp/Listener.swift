import CEvent
import EventServerSupport

#if canImport(Glibc)
import Glibc
#endif

/// Listener binds the listening socket with options evhttp's own binding lacks.
///
/// `evhttp_bind_socket` hard-codes a backlog of 128; this builds an `evconnlistener` instead and
/// returns it ready for `evhttp_bind_listener`.
enum Listener {
    static func bind(
        base: OpaquePointer, host: String, port: Int, backlog: Int, sharedPort: Bool
    ) throws(TransportError) -> (listener: OpaquePointer, address: BoundAddress) {
        let shownAddress = SocketAddress.display(host: host, port: port)
        guard (0...65535).contains(port) else {
            throw .cannotListen(address: shownAddress, reason: "port out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw .cannotListen(address: shownAddress, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }

        // SO_REUSEPORT only where sharing is meant (a master's workers): on every listener it would
        // let a second server on the same port start silently and take half the connections.
        var flags = LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC
        if sharedPort { flags |= LEV_OPT_REUSEABLE_PORT }
        var lastError: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            errno = 0
            if let listener = evconnlistener_new_bind(
                base, nil, nil, UInt32(flags), Int32(clamping: backlog), address.pointee.ai_addr,
                Int32(address.pointee.ai_addrlen))
            {
                let bound = SocketAddress.local(of: evconnlistener_get_fd(listener))
                return (listener, BoundAddress(host: bound?.host ?? host, port: bound?.port ?? port))
            }
            lastError = errno
            candidate = address.pointee.ai_next
        }
        throw .cannotListen(address: shownAddress, reason: String(cString: strerror(lastError)))
    }
}

extension Listener {
    /// A listener on a socket that is already bound and listening (inherited from systemd or
    /// handed over by the server being replaced): its accept queue is kept as it is.
    static func adopt(base: OpaquePointer, socket: Int32) throws(TransportError) -> (listener: OpaquePointer, address: BoundAddress) {
        guard let bound = SocketAddress.local(of: socket) else {
            throw .cannotListen(address: "descriptor \(socket)", reason: "not a bound socket")
        }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        let flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC
        // Backlog 0: the socket already listens; libevent must not call listen() again.
        guard let listener = evconnlistener_new(base, nil, nil, UInt32(flags), 0, socket) else {
            throw .cannotListen(address: SocketAddress.display(host: bound.host, port: bound.port), reason: "evconnlistener_new failed")
        }
        return (listener, BoundAddress(host: bound.host, port: bound.port))
    }
}

/// BoundAddress is the address a listener really got (the port is known even for port 0).
public struct BoundAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    /// `http://127.0.0.1:8080` or `http://[::1]:8080`.
    public var url: String { "http://" + SocketAddress.display(host: host, port: port) }

    /// The same address with the `https` scheme.
    public var secureURL: String { "https://" + SocketAddress.display(host: host, port: port) }
}

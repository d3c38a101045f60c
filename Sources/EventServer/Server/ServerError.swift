/// ServerError is a failure that stops the server from starting or running.
public enum ServerError: Error, Equatable, CustomStringConvertible {
    /// The address could not be resolved or bound (port in use, no permission…).
    case cannotListen(address: String, reason: String)
    /// libevent could not create its loop or HTTP server.
    case eventLoop(String)
    /// A file the configuration names could not be read.
    case unreadableFile(path: String, reason: String)
    /// A file the server maintains could not be written.
    case unwritableFile(path: String, reason: String)
    /// Another live server already owns the pid file.
    case alreadyRunning(pidFile: String, pid: Int32)
    /// A configuration value is out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .cannotListen(address, reason): "cannot listen on \(address): \(reason)"
        case let .eventLoop(reason): "event loop: \(reason)"
        case let .unreadableFile(path, reason): "cannot read \(path): \(reason)"
        case let .unwritableFile(path, reason): "cannot write \(path): \(reason)"
        case let .alreadyRunning(pidFile, pid): "already running: \(pidFile) names live pid \(pid)"
        case let .invalidConfiguration(reason): "invalid configuration: \(reason)"
        }
    }
}

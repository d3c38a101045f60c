/// AlreadyRunningError refuses a start whose pid file names another live server.
public struct AlreadyRunningError: Error, Equatable, CustomStringConvertible {
    /// The pid file that names the running server.
    public let pidFile: String
    /// The running server's pid.
    public let pid: Int32

    public var description: String { "already running: \(pidFile) names live pid \(pid)" }
}

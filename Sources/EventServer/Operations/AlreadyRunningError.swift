/// AlreadyRunningError refuses a start whose pid file names another live server.
public struct AlreadyRunningError: Error, Equatable, CustomStringConvertible {
    public let pidFile: String
    public let pid: Int32

    public var description: String { "already running: \(pidFile) names live pid \(pid)" }
}

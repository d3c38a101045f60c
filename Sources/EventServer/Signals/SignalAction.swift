/// SignalAction is what the server does when a configured signal arrives.
public enum SignalAction: Sendable, Equatable, CaseIterable {
    /// Every non-exempt route answers 503 from now on.
    case enterMaintenance
    /// Normal service resumes.
    case leaveMaintenance
    /// Graceful stop: stop accepting, finish in-flight replies, exit.
    case stop
    /// Re-reads the maintenance page and reopens the access log; never stops the server.
    case reload

    /// What the action does, in an operator's words (help text, logs).
    public var summary: String {
        switch self {
        case .enterMaintenance: "enters maintenance"
        case .leaveMaintenance: "leaves maintenance"
        case .stop: "stops gracefully"
        case .reload: "reloads the maintenance page and reopens the access log"
        }
    }
}

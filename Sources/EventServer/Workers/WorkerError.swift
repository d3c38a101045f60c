/// WorkerError is a failure of the worker master: it ends the whole group with exit status 1,
/// leaving restarts to the service manager (systemd's `Restart=on-failure`).
public enum WorkerError: Error, Equatable, CustomStringConvertible {
    /// `fork()` or `pipe()` failed; the reason from the system.
    case forkFailed(String)
    /// A worker stopped before it listened; its own error.
    case workerFailedToStart(String)
    /// Workers kept dying: `deaths` within `seconds`.
    case crashLoop(deaths: Int, seconds: Int)

    public var description: String {
        switch self {
        case let .forkFailed(reason): "cannot start a worker: \(reason)"
        case let .workerFailedToStart(reason): reason
        case let .crashLoop(deaths, seconds): "workers died \(deaths) times within \(seconds) s; giving up"
        }
    }
}

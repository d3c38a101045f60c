/// WorkerError is a failure of the worker master itself.
public enum WorkerError: Error, Equatable, CustomStringConvertible {
    /// `fork()` failed; the reason from the system.
    case forkFailed(String)

    public var description: String {
        switch self {
        case let .forkFailed(reason): "cannot start a worker: fork failed: \(reason)"
        }
    }
}

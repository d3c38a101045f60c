#if canImport(Glibc)
import Glibc
#endif

/// SignalBinding ties one signal number to an action.
///
/// `defaults` is the one table of signal meanings: the server registers it, a worker master
/// forwards and tracks it, `ctl` sends from it and the help text is written from it.
public struct SignalBinding: Sendable, Equatable {
    /// The signal number (`SIGUSR1`, …).
    public var signal: Int32
    /// What the signal does.
    public var action: SignalAction

    /// Binds `signal` to `action`.
    public init(signal: Int32, action: SignalAction) {
        self.signal = signal
        self.action = action
    }

    /// USR1 enters maintenance, USR2 leaves it, TERM and INT stop, HUP reloads.
    public static let defaults = [
        SignalBinding(signal: SIGUSR1, action: .enterMaintenance),
        SignalBinding(signal: SIGUSR2, action: .leaveMaintenance),
        SignalBinding(signal: SIGTERM, action: .stop),
        SignalBinding(signal: SIGINT, action: .stop),
        SignalBinding(signal: SIGHUP, action: .reload),
    ]

    /// The first signal in `bindings` that triggers `action`.
    public static func signal(for action: SignalAction, in bindings: [SignalBinding] = defaults) -> Int32? {
        bindings.first { $0.action == action }?.signal
    }

    /// The action `signal` triggers in `bindings`.
    public static func action(for signal: Int32, in bindings: [SignalBinding] = defaults) -> SignalAction? {
        bindings.first { $0.signal == signal }?.action
    }

    /// "SIGUSR1 enters maintenance, SIGUSR2 leaves maintenance, SIGTERM or SIGINT stops gracefully, …".
    public static func summary(of bindings: [SignalBinding] = defaults) -> String {
        SignalAction.allCases.compactMap { action in
            let names = bindings.filter { $0.action == action }.map { name(of: $0.signal) }
            return names.isEmpty ? nil : "\(names.joined(separator: " or ")) \(action.summary)"
        }.joined(separator: ", ")
    }

    /// The conventional name of `signal`, e.g. `SIGUSR1`.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(signal)"
        }
    }
}

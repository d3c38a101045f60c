import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

/// MaintenanceState is the server's one maintenance flag, when it last changed, and counters
/// of what it did.
///
/// Loop-confined and deliberately not `Sendable`: signals reach it as libevent events on the
/// loop thread, so a plain stored `Bool` is enough; no locks, no atomics. `enter()` and
/// `leave()` set a value rather than toggle, so a repeated signal is a no-op.
public final class MaintenanceState {
    /// Whether every non-exempt route currently answers 503.
    @exclusivity(unchecked) public private(set) var isActive: Bool
    /// Wall-clock seconds since the Unix epoch of the last change (or of creation).
    @exclusivity(unchecked) public private(set) var changedAt: Int
    /// What the operator said about this maintenance window; nil outside maintenance.
    @exclusivity(unchecked) public private(set) var notice: MaintenanceNotice? {
        didSet { noticeChanged() }
    }
    /// Whether there is a notice: kept apart, with `bypassDigest`, so a gated request reads a
    /// flag and an optional string, not a copy of the whole notice.
    @exclusivity(unchecked) public private(set) var hasNotice = false
    /// The notice's bypass digest (`MaintenanceBypass`), nil when there is none.
    @exclusivity(unchecked) public private(set) var bypassDigest: String?
    /// How many times the state changed since start.
    @exclusivity(unchecked) public private(set) var transitions = 0
    /// Replies the gate answered in place of a route (503 pages and redirects).
    @exclusivity(unchecked) public internal(set) var repliesSent = 0
    /// Whether the server is stopping (from the first stop signal, through `--shutdown-delay`
    /// and the drain): readiness fails, while routes serve as before.
    @exclusivity(unchecked) public private(set) var isStopping = false
    /// Open `updates()` streams.
    @exclusivity(unchecked) private var subscribers: [AsyncStream<MaintenanceSnapshot>.Continuation] = []

    /// The state now, as a value a task may carry.
    public var snapshot: MaintenanceSnapshot {
        MaintenanceSnapshot(isActive: isActive, changedAt: changedAt, notice: notice)
    }

    /// Creates the flag, starting in maintenance when `active` is true (with `notice`, if any).
    public init(active: Bool = false, changedAt: Int? = nil, notice: MaintenanceNotice? = nil) {
        isActive = active
        self.changedAt = changedAt ?? time(nil)
        self.notice = active ? notice : nil
        noticeChanged()  // didSet does not run in an initializer
    }

    private func noticeChanged() {
        hasNotice = notice != nil
        bypassDigest = notice?.bypassDigest
    }

    /// Enters maintenance; returns false when already in maintenance. A `notice` given replaces
    /// the current one even then (an operator updating the message or the planned end).
    @discardableResult
    public func enter(notice: MaintenanceNotice? = nil) -> Bool {
        if let notice { self.notice = notice }
        guard set(true) else {
            if notice != nil { announce() }
            return false
        }
        return true
    }

    /// Records that the server is stopping; readiness probes fail from now on.
    public func markStopping() {
        isStopping = true
    }

    /// Leaves maintenance and forgets the notice; returns false when already serving.
    @discardableResult
    public func leave() -> Bool {
        notice = nil
        return set(false)
    }

    /// Takes the state a replaced server had (an upgrade): not a change, so nothing is counted.
    public func restore(_ snapshot: MaintenanceSnapshot) {
        isActive = snapshot.isActive
        changedAt = snapshot.changedAt
        notice = snapshot.isActive ? snapshot.notice : nil
    }

    /// The state now, then every change as it happens, until `endUpdates()` or the consumer
    /// stops. A consumer that falls behind skips to the newest changes (16 kept), never to a
    /// stale state.
    public func updates() -> AsyncStream<MaintenanceSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MaintenanceSnapshot.self, bufferingPolicy: .bufferingNewest(16))
        continuation.yield(snapshot)
        subscribers.append(continuation)
        return stream
    }

    /// Ends every `updates()` stream (the server is stopping).
    public func endUpdates() {
        for subscriber in subscribers { subscriber.finish() }
        subscribers.removeAll()
    }

    private func set(_ active: Bool) -> Bool {
        guard isActive != active else { return false }
        isActive = active
        changedAt = time(nil)
        transitions += 1
        announce()
        return true
    }

    private func announce() {
        let now = snapshot
        subscribers.removeAll { subscriber in
            if case .terminated = subscriber.yield(now) { return true }
            return false
        }
    }
}

/// MaintenanceSnapshot is the maintenance state at one moment.
public struct MaintenanceSnapshot: Sendable, Equatable {
    /// Whether the server was in maintenance.
    public let isActive: Bool
    /// Unix seconds of the change that led to this state.
    public let changedAt: Int
    /// The operator's notice, when in maintenance with one.
    public let notice: MaintenanceNotice?

    /// The state at one moment.
    public init(isActive: Bool, changedAt: Int, notice: MaintenanceNotice? = nil) {
        self.isActive = isActive
        self.changedAt = changedAt
        self.notice = notice
    }
}

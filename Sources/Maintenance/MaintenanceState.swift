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
    public private(set) var isActive: Bool
    /// Wall-clock seconds since the Unix epoch of the last change (or of creation).
    public private(set) var changedAt: Int
    /// How many times the state changed since start.
    public private(set) var transitions = 0
    /// Replies the gate answered in place of a route (503 pages and redirects).
    public internal(set) var repliesSent = 0

    /// Creates the flag, starting in maintenance when `active` is true.
    public init(active: Bool = false, changedAt: Int? = nil) {
        isActive = active
        self.changedAt = changedAt ?? time(nil)
    }

    /// Enters maintenance; returns false when already in maintenance.
    @discardableResult
    public func enter() -> Bool { set(true) }

    /// Leaves maintenance; returns false when already serving.
    @discardableResult
    public func leave() -> Bool { set(false) }

    private func set(_ active: Bool) -> Bool {
        guard isActive != active else { return false }
        isActive = active
        changedAt = time(nil)
        transitions += 1
        return true
    }
}

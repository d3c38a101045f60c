#if canImport(Glibc)
import Glibc
#endif

/// MaintenanceState is the server's one maintenance flag and when it last changed.
///
/// Loop-confined and deliberately not `Sendable`: signals reach it as libevent events on the
/// loop thread, so a plain stored `Bool` is enough; no locks, no atomics. `enter()` and
/// `leave()` set a value rather than toggle, so a repeated signal is a no-op.
public final class MaintenanceState {
    /// Whether every non-exempt route currently answers 503.
    public private(set) var isActive: Bool
    /// Wall-clock seconds since the Unix epoch of the last change (or of creation).
    public private(set) var changedAt: Int

    /// Creates the flag, starting in maintenance when `active` is true.
    public init(active: Bool = false) {
        isActive = active
        changedAt = time(nil)
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
        return true
    }
}

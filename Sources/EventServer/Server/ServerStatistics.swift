#if canImport(Glibc)
import Glibc
#endif

/// ServerStatistics counts what the server has done since it started.
///
/// Loop-confined, like the rest of the server's state: plain stored integers.
public final class ServerStatistics {
    /// Requests that reached the generic callback (maintenance replies and errors included).
    public internal(set) var requestsReceived = 0
    /// Replies handed to evhttp whose bytes are not yet fully written.
    public internal(set) var repliesInFlight = 0
    private let startedAt = MonotonicClock.seconds()

    public init() {}

    /// Seconds since the server started, from a monotonic clock.
    public var uptimeSeconds: Double { MonotonicClock.seconds() - startedAt }
}

/// MonotonicClock reads CLOCK_MONOTONIC, which wall-clock changes do not move.
enum MonotonicClock {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

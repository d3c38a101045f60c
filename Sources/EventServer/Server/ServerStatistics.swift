#if canImport(Glibc)
import Glibc
#endif

/// ServerStatistics counts what the server has done since it started, for `/status` and
/// `/metrics`.
///
/// Loop-confined, like the rest of the server's state: plain stored integers.
public final class ServerStatistics {
    /// Requests that reached the generic callback (maintenance replies and errors included).
    public internal(set) var requestsReceived = 0
    /// Connections that sent at least one request and are still open.
    public internal(set) var openConnections = 0
    /// Replies handed to evhttp whose bytes are not yet fully written.
    public internal(set) var repliesInFlight = 0
    /// Completed SIGHUP reloads.
    public internal(set) var reloads = 0
    private var responsesByCode = [Int](repeating: 0, count: 600)
    private let startedAt = MonotonicClock.seconds()

    public init() {}

    /// Times accepting paused because the connection cap was reached.
    public var acceptPauses: Int { ConnectionLimit.acceptPauses }

    /// Seconds since the server started, from a monotonic clock.
    public var uptimeSeconds: Double { MonotonicClock.seconds() - startedAt }

    /// Replies sent so far, by status code, for codes that occurred.
    public var responsesByStatus: [(code: Int, count: Int)] {
        responsesByCode.indices.filter { responsesByCode[$0] > 0 }.map { ($0, responsesByCode[$0]) }
    }

    func recordResponse(_ status: HTTPStatus) {
        // A fixed array indexed by code: no hashing on the hot path.
        if responsesByCode.indices.contains(status.code) { responsesByCode[status.code] += 1 }
    }
}

/// MonotonicClock reads CLOCK_MONOTONIC, which wall-clock changes do not move.
package enum MonotonicClock {
    package static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

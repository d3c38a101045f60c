import EventServerSupport
import HTTPCore
internal import Evhttp

/// ServerStatistics counts what the server has done since it started, for `/status` and
/// `/metrics`.
///
/// Loop-confined, like the rest of the server's state: plain stored integers.
public final class ServerStatistics {
    /// Requests that reached the server (maintenance replies and refusals included).
    @exclusivity(unchecked) public internal(set) var requestsReceived = 0
    /// Replies sent over HTTP/2 (the rest went over HTTP/1.x).
    @exclusivity(unchecked) public internal(set) var http2Replies = 0
    /// Completed SIGHUP reloads.
    @exclusivity(unchecked) public internal(set) var reloads = 0
    @exclusivity(unchecked) private var responsesByCode = [Int](repeating: 0, count: 600)
    private let startedAt = MonotonicClock.seconds()
    /// The transport's figures while it runs.
    @exclusivity(unchecked) var connections: ConnectionCounters?

    /// Zeroed figures, uptime counted from now.
    public init() {}

    /// Accepted connections not yet closed.
    public var openConnections: Int { connections?.openConnections ?? 0 }
    /// TLS connections closed before their handshake finished.
    public var tlsHandshakeFailures: Int { connections?.tlsHandshakeFailures ?? 0 }

    /// Replies handed to the transport whose bytes are not yet fully written.
    public var repliesInFlight: Int { connections?.repliesInFlight ?? 0 }

    /// HTTP/1.1 replies the transport wrote without evhttp's parser and reply path.
    public var directReplies: Int { connections?.directReplies ?? 0 }

    /// Times accepting paused because the connection cap was reached.
    public var acceptPauses: Int { connections?.acceptPauses ?? 0 }

    /// Connections the transport answered or closed itself (requests breaking HTTP/1.1,
    /// deadlines), by reason, for reasons that occurred.
    public var refusalsByReason: [(reason: String, count: Int)] {
        (connections?.refusals ?? [:]).map { ($0.key.reason, $0.value) }.sorted { $0.reason < $1.reason }
    }

    /// Seconds since the server started, from a monotonic clock.
    public var uptimeSeconds: Double { MonotonicClock.seconds() - startedAt }

    /// Replies sent so far, all protocols.
    public var repliesSent: Int { responsesByCode.reduce(0, +) }

    /// Replies sent so far, by status code, for codes that occurred.
    public var responsesByStatus: [(code: Int, count: Int)] {
        responsesByCode.indices.filter { responsesByCode[$0] > 0 }.map { ($0, responsesByCode[$0]) }
    }

    func recordResponse(_ status: HTTPStatus) {
        // A fixed array indexed by code: no hashing on the hot path.
        if responsesByCode.indices.contains(status.code) { responsesByCode[status.code] += 1 }
    }
}

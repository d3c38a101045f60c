/// ConnectionCounters are the transport's figures for status and metrics pages.
///
/// Loop-confined: plain integers the transport updates as connections and replies come and go.
public final class ConnectionCounters {
    /// Accepted connections not yet closed.
    @exclusivity(unchecked) public internal(set) var openConnections = 0
    /// Replies handed to evhttp whose bytes are not yet fully written.
    @exclusivity(unchecked) public internal(set) var repliesInFlight = 0
    /// HTTP/1.1 replies written without evhttp's parser and reply path (a whole bodiless `GET`
    /// or `HEAD`, plain or TLS: `HTTPServerTransport.answerDirectly`).
    @exclusivity(unchecked) public internal(set) var directReplies = 0
    /// Times accepting paused because open connections reached the cap.
    @exclusivity(unchecked) public internal(set) var acceptPauses = 0
    /// Connections the transport answered or closed itself, by why.
    @exclusivity(unchecked) public internal(set) var refusals: [ConnectionRefusal: Int] = [:]
    /// TLS connections closed before their handshake finished (plain HTTP sent to the TLS
    /// port, garbage, a truncated or stalled handshake).
    @exclusivity(unchecked) public internal(set) var tlsHandshakeFailures = 0

    public init() {}
}

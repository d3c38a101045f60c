import HTTPCore

/// HTTPResponder answers what the transport reads; the server implements it.
///
/// Called on the loop thread and must return at once: the transport sends the reply before it
/// reads anything else.
public protocol HTTPResponder: AnyObject {
    /// The reply to `request`. A deferred or streamed response is completed by a task on the
    /// loop; the transport reports it through `answeredLater`.
    func respond(to request: Request) -> Response

    /// The reply for an error an async handler threw.
    func response(for error: any Error, to request: Request) -> Response

    /// An async handler's response is about to be sent.
    func answeredLater(_ request: Request, with response: Response)

    /// The transport answered a connection itself with `refusal.status` and is closing it (a
    /// request that breaks HTTP/1.1, or a deadline), or closed an idle one; for counting and logs.
    func transportRefused(_ refusal: ConnectionRefusal, peerAddress: String?)
}

/// ConnectionRefusal is why the transport ended a connection without asking the responder.
public enum ConnectionRefusal: Hashable, Sendable {
    /// The bytes broke HTTP/1.1 before evhttp parsed them.
    case violation(RequestViolation)
    /// The header block did not end within the header deadline.
    case headerTimeout
    /// The whole request did not arrive within the request deadline.
    case requestTimeout
    /// No byte of a next request arrived within the header deadline or `--timeout`, whichever
    /// is shorter (closed without a reply).
    case idleTimeout
    /// A request stopped arriving: no byte of it for `--timeout` seconds.
    case readTimeout
    /// The client took no byte of its reply for `--timeout` seconds (closed: nothing more can
    /// be sent to it).
    case writeTimeout
    /// An HTTP/2 client flooded the connection with frames that cost the server work and give
    /// nothing back (SETTINGS or PING it never reads the answers to, endless CONTINUATION):
    /// dropped at once, as nghttp2 advises.
    case flood

    /// The status sent before closing; nil when the connection is closed without a reply.
    public var status: HTTPStatus? {
        switch self {
        case let .violation(violation): violation.status
        case .headerTimeout, .requestTimeout, .readTimeout: .requestTimeout
        case .idleTimeout, .writeTimeout, .flood: nil
        }
    }

    /// A short label for metrics and logs: the violation's name, or the deadline's.
    public var reason: String {
        switch self {
        case let .violation(violation): violation.rawValue
        case .headerTimeout: "header_timeout"
        case .requestTimeout: "request_timeout"
        case .idleTimeout: "idle_timeout"
        case .readTimeout: "read_timeout"
        case .writeTimeout: "write_timeout"
        case .flood: "flood"
        }
    }
}

/// Request is one parsed HTTP request, as a plain Swift value.
///
/// The server builds it from evhttp's request before calling the root handler; tests build it
/// directly.
public struct Request: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The path exactly as sent (still percent-encoded), without the query.
    public var path: String
    /// The raw query string after `?`, or nil when there was none.
    public var rawQuery: String? {
        get { hasQuery ? storedQuery : nil }
        set {
            storedQuery = newValue ?? ""
            hasQuery = newValue != nil
        }
    }
    /// The minor HTTP version: 1 for HTTP/1.1, 0 for HTTP/1.0 (0 for HTTP/2).
    public var minorVersion: Int
    /// The major HTTP version: 1, or 2 for a request that came over HTTP/2.
    public var majorVersion = 1
    /// The header fields as received.
    public var headers: HTTPHeaders
    /// The body bytes, already de-chunked by evhttp.
    public var body: [UInt8]
    /// The socket peer's address (IPv4 or IPv6 text), or nil when unknown.
    public var peerAddress: String? {
        get { hasPeerAddress ? storedPeerAddress : nil }
        set {
            storedPeerAddress = newValue ?? ""
            hasPeerAddress = newValue != nil
        }
    }
    /// The values the matched route pattern bound (`:id`, `*path`), decoded.
    public var parameters: PathParameters
    /// The request's id, echoed as `X-Request-ID` and logged, when the server runs with
    /// `--request-id`: a trusted balancer's (a `--proxy-protocol-from` peer), or one made here.
    public var requestID: String? {
        get { storedRequestID.isEmpty ? nil : storedRequestID }  // an id is never empty
        set { storedRequestID = newValue ?? "" }
    }

    // The optional fields are stored as a string and a flag: with a stored `String?` the
    // optimiser builds a new value in a temporary and copies it out, then destroys the
    // temporary (a retain and a release of every field, each request).
    @usableFromInline var storedQuery: String
    @usableFromInline var hasQuery: Bool
    @usableFromInline var storedPeerAddress: String
    @usableFromInline var hasPeerAddress: Bool
    @usableFromInline var storedRequestID: String
    /// When the transport handed the request up, in microseconds of the monotonic clock, for
    /// the JSON access log's duration; 0 when the server does not time requests.
    @usableFromInline package var receivedAtMicroseconds: Int

    /// The decoded query items: `request.query["q"]`.
    public var query: QueryItems { QueryItems(rawQuery) }

    /// Creates a request value. Inlinable so the transport builds it in place, without a copy
    /// and a destroy of every field per request.
    @inlinable
    public init(
        method: HTTPMethod,
        path: String,
        rawQuery: String? = nil,
        minorVersion: Int = 1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        peerAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        storedQuery = rawQuery ?? ""
        hasQuery = rawQuery != nil
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        storedPeerAddress = peerAddress ?? ""
        hasPeerAddress = peerAddress != nil
        parameters = PathParameters()
        storedRequestID = ""
        receivedAtMicroseconds = 0
    }
}

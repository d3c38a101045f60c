/// Response is the reply a handler returns; the server sends it as it is.
///
/// The server adds `Content-Length` and `Date`, and strips the body of a reply to HEAD while
/// keeping its length.
public struct Response: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields to send. A field whose name is not a token, or whose value holds a control
    /// character other than tab (a CR or LF would start a line of its own), is not sent; the
    /// server sets `Content-Length`, `Date`, `Connection` and `Transfer-Encoding` itself.
    public var headers: HTTPHeaders
    /// Body bytes; empty for none.
    public var body: [UInt8]
    /// A file range sent instead of `body`, straight from disk.
    public var file: FileRegion?
    /// Set when an async handler computes the real response later (`AsyncRoute`).
    public var deferred: DeferredResponse?
    /// Set when the body is written while it is sent, instead of `body`.
    public var stream: BodyStream?

    /// Creates a response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is `file`, sent from disk.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), file: FileRegion) {
        self.status = status
        self.headers = headers
        self.body = []
        self.file = file
    }

    /// The number of body bytes the response carries.
    public var contentLength: Int { file?.count ?? body.count }
}

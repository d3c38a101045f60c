/// Response is the reply a handler returns; the server sends it as it is.
///
/// The server adds `Content-Length` and `Date`, and strips the body of a reply to HEAD while
/// keeping its length.
public struct Response: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields to send.
    public var headers: HTTPHeaders
    /// Body bytes; empty for none.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(
            status: status,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: Array(text.utf8)
        )
    }

    /// An `application/json` response from already-encoded JSON text.
    public static func json(_ encodedJSON: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(encodedJSON.utf8))
    }
}

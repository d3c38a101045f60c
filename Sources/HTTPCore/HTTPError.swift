/// HTTPError is an error a handler throws to answer with a given status and a short message.
///
/// Any other error thrown by a handler becomes a generic 500, so internal text never reaches
/// the client.
public struct HTTPError: Error, Sendable, Equatable {
    /// The status to answer with.
    public var status: HTTPStatus
    /// The plain-text body sent to the client.
    public var message: String

    /// An error answered with `status` and `message` as a plain-text body.
    public init(_ status: HTTPStatus, message: String? = nil) {
        self.status = status
        self.message = message ?? status.reasonPhrase
    }

    /// The response this error renders as.
    public var response: Response { .text(message + "\n", status: status) }
}

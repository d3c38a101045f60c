import HTTPCore

/// HTTPResponder answers what the transport reads; the server implements it.
///
/// Called on the loop thread, once per request, and must return at once: the transport sends
/// the reply before it reads anything else.
public protocol HTTPResponder: AnyObject {
    /// The reply to `incoming`. For a refused request the transport closes the connection after
    /// the reply, whatever it says.
    func respond(to incoming: IncomingRequest) -> Response
}

/// IncomingRequest is what the transport hands up for each request evhttp parsed.
public enum IncomingRequest {
    /// A request to serve.
    case accepted(Request)
    /// A request evhttp accepted but the transport refuses (answer 400): its framing could
    /// smuggle a second request, or it breaks HTTP/1.1 in a way that matters.
    case refused(RequestDefect, peerAddress: String?)
}

/// RequestDefect is why a request that evhttp accepted is refused with 400 and a close.
///
/// evhttp 2.1 frames a request by the first Content-Length and ignores a header named with
/// trailing whitespace, so such requests could smuggle a second one through the leftover bytes.
public enum RequestDefect: Error, Equatable, Sendable {
    case invalidHeaderName
    case duplicateContentLength
    case invalidContentLength
    case missingHost
    case duplicateHost
    case unsupportedTransferEncoding
}

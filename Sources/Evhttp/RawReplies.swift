import CEvent
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// RawReplies writes the transport's own short replies (400, 408, 431) straight to a socket,
/// for connections it refuses before evhttp has a request to answer.
///
/// Each carries `Connection: close` and a length; the caller stops sending right after.
final class RawReplies {
    private unowned let loop: EventLoop
    private var dateCache = HTTPDateCache()

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Sends `status` with a one-line text body; a client that does not read gets what fits.
    func send(_ status: HTTPStatus, to socket: Int32) {
        _ = Array(text(status).utf8).withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    /// The whole reply for `status` (a TLS connection sends it through its bufferevent).
    func text(_ status: HTTPStatus) -> String {
        let body = status.reasonPhrase + "\n"
        return "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
            + "Date: \(dateCache.value(at: loop.cachedUnixSeconds))\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
    }
}

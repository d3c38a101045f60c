import CEvent
import CTLS
import HTTPCore

/// Requests answered without evhttp's parser and reply path: a request with no body that
/// arrived whole in one read, nothing after it (`PlainRequestHead`), while no other reply of its
/// connection is in flight, over plain TCP or TLS.
///
/// evhttp's own path costs more than the rest of a request together (callgrind: parsing the
/// request line with `sscanf`, copying every field into its list, a request object made and
/// freed, the reply formatted entry by entry, the read interest turned off and on; the account in
/// `Benchmarks/results/2026-12-06-direct-replies/`). Here the bytes the scanner has just checked
/// are split in place, the responder answers, the reply is written into the connection's output
/// as evhttp would write it (`ReplyWriter.write`), the request's bytes are drained, and evhttp,
/// which was waiting for a request line, finds none and goes on waiting.
///
/// An async handler's task runs as for evhttp's requests, the connection not read meanwhile, and
/// its reply is written the same way (`answerLaterDirectly`). A response evhttp must carry (a
/// stream, a file) is kept in `stashedReply` and the bytes left in place: evhttp parses them in
/// the same callback and `handle` sends it, so the responder is asked once. Anything
/// `PlainRequestHead` does not read goes to evhttp untouched.
extension HTTPServerTransport {
    /// Called by `connection` inside the read that brought `input`, a whole request and nothing
    /// else, before evhttp's parser sees it (`Connection.scan`).
    func answerDirectly(_ connection: Connection, input: OpaquePointer) {
        let length = evbuffer_get_length(input)
        guard let start = evbuffer_pullup(input, length),
            let head = PlainRequestHead.parse(UnsafeRawBufferPointer(start: start, count: length), into: &headerStorage)
        else { return }
        let (path, query) = RequestTarget.split(head.target)
        var request = Request(
            method: head.method, path: path, rawQuery: query, minorVersion: 1, headers: headerStorage,
            peerAddress: connection.peerAddress)
        if annotatesRequests { annotate(&request, on: connection) }
        tracker.trackDirect(connection)
        let response = responder.respond(to: request)
        if let deferred = response.deferred, response.stream == nil, response.file == nil {
            // Kept in case the task's response is a stream, which evhttp must carry after all.
            let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: length))
            evbuffer_drain(input, length)
            return answerLaterDirectly(deferred, placeholder: response, to: request, bytes: bytes, on: connection)
        }
        guard response.deferred == nil, response.stream == nil, response.file == nil else {
            tracker.untrackDirect(connection)
            stashedReply = StashedReply(connection: connection, request: request, response: response)
            return
        }
        evbuffer_drain(input, length)
        writeDirectly(response, for: request, on: connection, closing: false)
    }

    /// Writes `response` to `request`'s connection as evhttp would (`ReplyWriter.write`) and
    /// starts it on its way; `closing`: with `Connection: close`, the connection closed once it
    /// is written (a drain began while a task made it).
    func writeDirectly(_ response: Response, for request: Request, on connection: Connection, closing: Bool) {
        let output = bufferevent_get_output(connection.bufferevent)!
        ReplyWriter.write(
            response, method: request.method, requestID: annotatesRequests ? request.requestID : nil,
            date: dateCache.value(at: loop.cachedUnixSeconds), head: &replyHead, directHead: &directHead,
            closing: closing, to: output)
        counters.directReplies += 1
        if closing { connection.closeAfterReply = true }
        if connection.isTLS {
            // One record, written now: no write event added and removed for it.
            if ctls_write_output_now(connection.bufferevent) == 1 {
                tracker.replyWritten(on: connection)
            } else {
                DirectWrite.handToBufferevent(connection)
            }
        } else {
            connection.answeredDirectly = true
            batchedWrites?.queue(connection)
        }
        if passSplit.answeredOne(openConnections: counters.openConnections) {
            batchedWrites?.writeAll()
            loop.pollBeforeNextCallback()
        }
    }
}

/// A request answered by the responder whose reply evhttp is about to carry.
final class StashedReply {
    let connection: Connection
    let request: Request
    let response: Response

    init(connection: Connection, request: Request, response: Response) {
        self.connection = connection
        self.request = request
        self.response = response
    }
}

import CEvent
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// ReplyWriter is the one place that calls `evhttp_send_reply`.
///
/// It never uses `evhttp_send_error`, which drops our headers and forces `Connection: close`.
/// It owns the framing headers: a handler's `Content-Length` is ignored, a reply to HEAD keeps
/// the length of the body it does not send (evhttp would otherwise send HEAD bodies), and
/// every reply with a body gets its `Content-Length` here (evhttp leaves it out for CONNECT,
/// and would otherwise format it with `snprintf` on every reply). The other fields go through
/// `ReplyHead`, joined into one line of evhttp's list.
enum ReplyWriter {
    static func send(
        _ response: Response,
        to request: UnsafeMutablePointer<evhttp_request>,
        method: HTTPMethod,
        closeConnection: Bool,
        requestID: String?,
        date: String,
        head: inout ReplyHead,
        lengths: inout ContentLengthCache
    ) {
        guard let output = evhttp_request_get_output_headers(request) else { return }
        let sendsBody = !response.status.forbidsBody
        head.write(response.headers, date: date, addsContentType: sendsBody, to: output)
        if let requestID { ReplyHead.add("X-Request-ID", requestID, to: output) }
        let isHead = method == .head
        if sendsBody {
            ReplyHead.add("Content-Length", lengths.value(for: response.contentLength), to: output)
        }
        if closeConnection {
            ReplyHead.add("Connection", "close", to: output)
        }
        if sendsBody && !isHead {
            let buffer = evhttp_request_get_output_buffer(request)
            if let file = response.file, let descriptor = file.takeDescriptor() {
                // libevent owns the descriptor from here and sends it with sendfile as the
                // socket drains; evhttp frames it by the segment's length.
                _ = evbuffer_add_file(buffer, descriptor, Int64(file.offset), Int64(file.count))
            } else if !response.body.isEmpty {
                response.body.withUnsafeBytes { bytes in _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count) }
            }
        }
        response.status.reasonPhrase.withCString { reason in
            evhttp_send_reply(request, Int32(response.status.code), reason, nil)
        }
    }

    /// Writes `response` to `output` for a request answered without evhttp
    /// (`HTTPServerTransport.answerDirectly`: HTTP/1.1, the connection kept, a body in memory):
    /// the bytes `send` has evhttp write, the head made by `DirectReplyHead`.
    static func write(
        _ response: Response,
        method: HTTPMethod,
        requestID: String?,
        date: String,
        head: inout ReplyHead,
        directHead: inout DirectReplyHead,
        closing: Bool,
        to output: OpaquePointer
    ) {
        let sendsBody = !response.status.forbidsBody
        let joined = head.joinedValue(response.headers, date: date, addsContentType: sendsBody)
        directHead.refresh(status: response.status, contentLength: sendsBody ? response.contentLength : nil, joined: joined)
        directHead.write(requestID: requestID, closing: closing, to: output)
        if sendsBody && method != .head && !response.body.isEmpty {
            response.body.withUnsafeBytes { bytes in _ = evbuffer_add(output, bytes.baseAddress, bytes.count) }
        }
    }

    /// Starts a streamed reply: the head now (chunked for HTTP/1.1, evhttp's choice), the body
    /// through `evhttp_send_reply_chunk` as it is written.
    static func start(
        _ response: Response,
        to request: UnsafeMutablePointer<evhttp_request>,
        closeConnection: Bool,
        requestID: String?,
        date: String,
        head: inout ReplyHead
    ) {
        guard let output = evhttp_request_get_output_headers(request) else { return }
        head.write(response.headers, date: date, addsContentType: !response.status.forbidsBody, to: output)
        if let requestID { ReplyHead.add("X-Request-ID", requestID, to: output) }
        if closeConnection {
            ReplyHead.add("Connection", "close", to: output)
        }
        response.status.reasonPhrase.withCString { reason in
            evhttp_send_reply_start(request, Int32(response.status.code), reason)
        }
    }
}

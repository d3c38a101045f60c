import CEvent
import HTTPCore

/// DirectReplyHead makes the head of a reply written without evhttp (`ReplyWriter.write`): the
/// status line, then evhttp's entries in evhttp's order (`Date` with the joined fields,
/// `X-Request-ID`, `Content-Length`, `Connection`), then the empty line.
///
/// It keeps the last head it made: a route answers with the same status, fields and length
/// reply after reply, and the joined fields (`ReplyHead`) change at most once a second, with
/// `Date`, so most replies copy one array into the output.
struct DirectReplyHead {
    /// The head, without an `X-Request-ID` line.
    private var bytes: [UInt8] = []
    /// Where in `bytes` an `X-Request-ID` line goes.
    private var requestIDOffset = 0
    /// What `bytes` was made of: the joined value (compared by identity), the status, the length.
    private var joined: [UInt8] = []
    private var code = -1
    private var reasonPhrase = ""
    private var contentLength: Int?

    /// Makes the head again unless it is the last one.
    mutating func refresh(status: HTTPStatus, contentLength: Int?, joined: [UInt8]) {
        let sameJoined = joined.withUnsafeBufferPointer { new in
            self.joined.withUnsafeBufferPointer { $0.baseAddress == new.baseAddress && $0.count == new.count }
        }
        if sameJoined && status.code == code && contentLength == self.contentLength
            && status.reasonPhrase.hasSameBytes(as: reasonPhrase)
        {
            return
        }
        (self.joined, code, reasonPhrase, self.contentLength) = (joined, status.code, status.reasonPhrase, contentLength)
        var head: [UInt8] = []
        head.reserveCapacity(joined.count + 64)
        head += "HTTP/1.1 ".utf8
        head += String(status.code).utf8
        head.append(UInt8(ascii: " "))
        head += status.reasonPhrase.utf8
        head += "\r\nDate: ".utf8
        head += joined.dropLast()  // its NUL
        head += "\r\n".utf8
        requestIDOffset = head.count
        if let contentLength {
            head += "Content-Length: ".utf8
            head += String(contentLength).utf8
            head += "\r\n".utf8
        }
        head += "\r\n".utf8
        bytes = head
    }

    /// Adds the head to `output`, with `requestID`'s line where evhttp would put it (a value
    /// evhttp would refuse, with a line break, is left out as evhttp leaves it out), and
    /// `Connection: close` last when `closing`.
    func write(requestID: String?, closing: Bool, to output: OpaquePointer) {
        bytes.withUnsafeBytes { head in
            let sendsRequestID = requestID.map { HTTPHeaders.Field(name: "X-Request-ID", value: $0).isSendable } ?? false
            guard sendsRequestID || closing else {
                _ = evbuffer_add(output, head.baseAddress, head.count)
                return
            }
            let end = head.count - 2  // before the empty line
            _ = evbuffer_add(output, head.baseAddress, requestIDOffset)
            if sendsRequestID, var requestID {
                // Added in place, piece by piece: no string or array made per reply.
                Self.add("X-Request-ID: ", to: output)
                requestID.withUTF8 { _ = evbuffer_add(output, $0.baseAddress, $0.count) }
                Self.add("\r\n", to: output)
            }
            _ = evbuffer_add(output, head.baseAddress! + requestIDOffset, end - requestIDOffset)
            if closing { Self.add("Connection: close\r\n", to: output) }
            _ = evbuffer_add(output, head.baseAddress! + end, 2)
        }
    }

    private static func add(_ text: StaticString, to output: OpaquePointer) {
        _ = evbuffer_add(output, text.utf8Start, text.utf8CodeUnitCount)
    }
}

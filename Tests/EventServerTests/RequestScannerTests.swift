import EventServer
import Testing

/// The raw-byte checks, byte for byte, without a socket.
@Suite struct RequestScannerTests {
    private func scan(_ text: String, in pieces: Int = 1, maxHeadBytes: Int = 8192) -> (RequestViolation?, RequestScanner.Position) {
        var scanner = RequestScanner(maxHeadBytes: maxHeadBytes)
        let bytes = Array(text.utf8)
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            if let violation = bytes[start..<end].withUnsafeBytes({ scanner.scan($0) }) { return (violation, scanner.position) }
            start = end
        }
        return (nil, scanner.position)
    }

    @Test(arguments: [1, 3, 7, 1000])
    func validRequestsPassWhateverTheReadBoundaries(pieces: Int) {
        let requests = "GET / HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n"
            + "\r\nPOST /a?b=c HTTP/1.1\r\nHost: [::1]:80\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT /x HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
            + "GET / HTTP/1.0\r\n\r\n"
            + "GET / HTTP/1.1\nHost: h\n\n"
        let (violation, position) = scan(requests, in: min(pieces, requests.utf8.count))
        #expect(violation == nil)
        #expect(position == .betweenRequests)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", RequestViolation.controlCharacter),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{7}b\r\n\r\n", .controlCharacter),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", .controlCharacter),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost: h\r\nBad Name: a\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: h\r\n: a\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", .invalidFieldName),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: user@h\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: h/path\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: h:8x\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nHost: [zz]\r\n\r\n", .invalidHost),
        ("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", .duplicateContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n", .chunkExtension),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nGET /smuggled HTTP/1.1\r\n", .malformedTrailer),
        // Chunked framing takes CRLF only (RFC 9112 §7.1): a bare LF after the size, after the
        // data, after a trailer field or as the last line.
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\n\r\n", .malformedChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\n\r\n", .malformedTrailer),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", .malformedTrailer),
        ("GET / HTTP/01.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
        ("GET /\u{1} HTTP/1.1\r\nHost: h\r\n\r\n", .controlCharacter),
    ])
    func violationsAreFound(request: String, expected: RequestViolation) {
        #expect(scan(request).0 == expected)
        #expect(scan(request, in: 5).0 == expected)
    }

    @Test func anOversizedHeadIs431() {
        let (violation, _) = scan("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n", maxHeadBytes: 100)
        #expect(violation == .headerTooLarge)
        #expect(violation?.status.code == 431)
    }

    @Test func positionFollowsTheRequest() {
        var scanner = RequestScanner(maxHeadBytes: 8192)
        func feed(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { scanner.scan($0) } }
        #expect(scanner.position == .betweenRequests)
        feed("POST / HTTP/1.1\r\nHo")
        #expect(scanner.position == .inHead)
        feed("st: h\r\nContent-Length: 4\r\n\r\nab")
        #expect(scanner.position == .inBody)
        feed("cd")
        #expect(scanner.position == .betweenRequests)
    }

    /// Where the last whole request ended, whatever the read boundaries: the transport keeps
    /// those bytes for evhttp when a later request in the same read is refused.
    @Test(arguments: [1, 2, 5, 1000])
    func theEndOfTheLastWholeRequestIsKnown(pieces: Int) {
        let first = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let second = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let third = "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
        let bad = "GET / HTTP/1.1\r\nHost: x\r\nX A: v\r\n\r\n"
        let bytes = Array((first + second + third + bad).utf8)
        var scanner = RequestScanner(maxHeadBytes: 8192)
        var violation: RequestViolation?
        var start = 0
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        while start < bytes.count && violation == nil {
            let end = min(bytes.count, start + size)
            violation = bytes[start..<end].withUnsafeBytes { scanner.scan($0) }
            start = end
        }
        #expect(violation == .invalidFieldName)
        #expect(scanner.endOfLastRequest == (first + second + third).utf8.count)
    }
}

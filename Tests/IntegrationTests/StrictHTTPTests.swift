import EventServerTesting
import Foundation
import Testing

/// Requests that break RFC 9112 / RFC 9110 in ways evhttp 2.1 accepts: each is refused on its
/// raw bytes with 400 (or 431), `Connection: close`, a closed connection and a count in /metrics.
@Suite struct StrictHTTPTests {
    /// The refusals shared by every shape: status, close header, closed socket, server healthy.
    private func expectRefused(
        _ raw: String, status: Int = 400, reason: String, server: ServerProcess,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let connection = try HTTPConnection(port: server.port)
        try connection.write(raw)
        let response = try connection.readResponse()
        #expect(response.status == status, "\(reason)", sourceLocation: sourceLocation)
        #expect(response[header: "Connection"] == "close", sourceLocation: sourceLocation)
        #expect(connection.isClosedByServer(), sourceLocation: sourceLocation)
        #expect(try refusals(server)[reason] ?? 0 >= 1, "\(reason) not counted", sourceLocation: sourceLocation)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", "control_character"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{7}b\r\n\r\n", "control_character"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX(A): v\r\n\r\n", "field_name"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX A: v\r\n\r\n", "field_name"),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: user@x\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nHost: x/admin\r\n\r\n", "invalid_host"),
        ("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "missing_host"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "transfer_encoding_http10"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", "malformed_chunk"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", "trailer"),
        // Chunked framing's lines end in CRLF only: a bare LF after the size or after the data.
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", "malformed_chunk"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", "malformed_chunk"),
    ])
    func refusedOnTheRawBytes(raw: String, reason: String) throws {
        let server = try ServerProcess()
        try expectRefused(raw, reason: reason, server: server)
    }

    @Test func missingHostIsRefusedWithoutWaitingForTheBody() throws {
        let server = try ServerProcess()
        // The body is announced and never sent: the refusal must not wait for it (the client's
        // receive timeout, 5 s, would fail the read).
        try expectRefused("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", reason: "missing_host", server: server)
    }

    @Test func anOversizedHeaderBlockGets431() throws {
        let server = try ServerProcess(["--max-header-bytes", "1024"])
        let raw = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        try expectRefused(raw, status: 431, reason: "header_too_large", server: server)
    }

    @Test func validRequestsPipelinedInOnePacketAreAllServed() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write(
            "GET /livez HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 405)
        #expect(try connection.readResponse().status == 200)
    }

    /// Whole requests ahead of a refused one in the same packet are still answered, in order;
    /// then the refusal, and the connection closes.
    @Test func requestsAheadOfARefusedOneInTheSamePacketAreAnswered() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write(
            "GET /livez HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX A: v\r\n\r\n"
                + "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 405)
        let third = try connection.readResponse()
        #expect(third.status == 200)
        #expect(third.text == "Hello from eventserver\n")
        let refused = try connection.readResponse()
        #expect(refused.status == 400)
        #expect(refused[header: "Connection"] == "close")
        #expect(connection.isClosedByServer())  // the request after the refused one is never read
        #expect(try refusals(server)["field_name"] == 1)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    /// The same when the refused request spans several of the read's buffer segments.
    @Test func aRequestAheadOfAnOversizedOneIsAnswered() throws {
        let server = try ServerProcess(["--max-header-bytes", "4096"])
        let connection = try HTTPConnection(port: server.port)
        try connection.write(
            "GET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX-Big: "
                + String(repeating: "a", count: 20_000) + "\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 431)
        #expect(connection.isClosedByServer())
    }
}

/// The counts in `/metrics`' `eventserver_connections_refused_total`, by reason.
func refusals(_ server: ServerProcess) throws -> [String: Int] {
    let text = try HTTPConnection(port: server.port).get("/metrics").text
    var counts: [String: Int] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("eventserver_connections_refused_total{reason=\"") {
        let reason = line.split(separator: "\"")[1]
        counts[String(reason)] = line.split(separator: " ").last.flatMap { Int($0) }
    }
    return counts
}

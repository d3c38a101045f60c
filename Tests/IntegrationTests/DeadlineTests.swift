import EventServerTesting
import Foundation
import Testing

/// `--header-timeout` and `--request-timeout`: slow clients are cut off even when they keep
/// trickling bytes (evhttp's own timeout only catches silence); steady clients are not.
@Suite struct DeadlineTests {
    private let flags = ["--header-timeout", "1", "--request-timeout", "2", "--timeout", "30"]

    /// Sends `bytes` one at a time every 200 ms until the server answers or closes; returns what
    /// it answered (nil for a close without reply) and how many bytes went out. Bounded by
    /// `bytes.count`.
    private func trickle(_ bytes: String, to connection: HTTPConnection) throws -> (HTTPResponse?, Int) {
        var sent = 0
        for byte in bytes.utf8 {
            do { try connection.write([byte]) } catch { break }
            sent += 1
            usleep(200_000)
        }
        return ((try? connection.readResponse()), sent)
    }

    @Test func headersTrickledPastTheHeaderDeadlineGet408() throws {
        let server = try ServerProcess(flags)
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        let request = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "a", count: 40) + "\r\n\r\n"
        let (response, sent) = try trickle(request, to: connection)
        #expect(response?.status == 408)
        #expect(response?[header: "Connection"] == "close")
        #expect(sent < request.utf8.count, "the whole header block went through")
        #expect(connection.isClosedByServer())
        #expect(try refusals(server)["header_timeout"] == 1)
    }

    @Test func aBodyTrickledPastTheRequestDeadlineGets408() throws {
        let server = try ServerProcess(flags)
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try connection.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n")
        let (response, sent) = try trickle(String(repeating: "b", count: 40), to: connection)
        #expect(response?.status == 408)
        #expect(sent < 40)
        #expect(connection.isClosedByServer())
        #expect(try refusals(server)["request_timeout"] == 1)
    }

    @Test func anIdleConnectionIsClosedWithoutAReply() throws {
        let server = try ServerProcess(flags)
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        #expect(connection.isClosedByServer())  // EOF, no bytes, well before the 10 s receive timeout
        #expect(try refusals(server)["idle_timeout"] == 1)
    }

    @Test func aSteadyKeepAliveClientOutlivesTheDeadlines() throws {
        let server = try ServerProcess(flags)
        let connection = try HTTPConnection(port: server.port)
        // 16 requests 250 ms apart: 4 s on one connection, twice the request deadline.
        for _ in 0..<16 {
            #expect(try connection.get("/livez").status == 200)
            usleep(250_000)
        }
        #expect(try refusals(server).isEmpty)
    }

    @Test func aSlowButSteadyUploadWithinTheDeadlineIsServed() throws {
        let server = try ServerProcess(flags)
        let connection = try HTTPConnection(port: server.port)
        try connection.write("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
        for chunk in ["ab", "cd", "ef"] {
            usleep(300_000)
            try connection.write(chunk)
        }
        #expect(try connection.readResponse().status == 405)
    }
}

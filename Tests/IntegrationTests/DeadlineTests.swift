import EventServerTesting
import Foundation
import Testing

/// `--header-timeout` and `--request-timeout`: slow clients are cut off even when they keep
/// trickling bytes; `--timeout`: silent ones are, either way (no byte of the request arrives,
/// or none of the reply is taken). Steady clients are not.
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

    @Test func anIdleConnectionIsClosedAtTheTimeoutWhenItIsTheShorter() throws {
        let server = try ServerProcess(["--header-timeout", "30", "--timeout", "2"])
        let connected = ContinuousClock.now
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        #expect(connection.isClosedByServer())
        // Never before the timeout: the once-a-second sweep must not count a connection
        // accepted just before its tick as a second quiet (a later close only means a busy machine).
        #expect(ContinuousClock.now - connected >= .seconds(2))
        #expect(try refusals(server)["idle_timeout"] == 1)
    }

    @Test func aRequestThatStopsArrivingGets408AtTheTimeout() throws {
        let server = try ServerProcess(["--header-timeout", "30", "--request-timeout", "30", "--timeout", "1"])
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try connection.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let response = try connection.readResponse()
        #expect(response.status == 408)
        #expect(connection.isClosedByServer())
        #expect(try refusals(server)["read_timeout"] == 1)
    }

    @Test func aClientThatStopsTakingItsReplyIsClosedAtTheTimeout() throws {
        let folder = try StaticFolder(megabytes: 16)
        let server = try ServerProcess(["--root", folder.path, "--timeout", "1"])
        let client = try SmallWindowClient(port: server.port)
        try client.send("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        // Far more than the socket buffers hold, so most of the reply waits in the server.
        try waitForRefusal(server, "write_timeout")
        let received = try client.readUntilClosed()
        #expect(received > 0)
        #expect(received < 16 << 20, "the whole reply went out")
    }

    @Test func aSlowButSteadyReaderGetsTheWholeReply() throws {
        let folder = try StaticFolder(megabytes: 6)
        let server = try ServerProcess(["--root", folder.path, "--timeout", "1"])
        let client = try SmallWindowClient(port: server.port)
        try client.send("GET /static/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        // 256 KiB, then a pause shorter than the timeout: about 6 s for the reply, six timeouts.
        let received = try client.readUntilClosed(pausing: 250_000, every: 256 << 10)
        #expect(received > 6 << 20)  // the body and its head
        #expect(try refusals(server)["write_timeout"] == nil)
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

/// Waits (bounded) until the server has counted one refusal for `reason`.
private func waitForRefusal(_ server: ServerProcess, _ reason: String, seconds: Double = 15) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try refusals(server)[reason] ?? 0 >= 1 { return }
        usleep(50_000)
    }
    throw TestFailure("no \(reason) refusal within \(seconds)s")
}

/// A temporary folder holding `big.bin` of `megabytes` MiB, removed with the value.
final class StaticFolder {
    let path = temporaryPath("big-reply")

    init(megabytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data(repeating: 0x61, count: megabytes << 20).write(to: URL(fileURLWithPath: path + "/big.bin"))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A client socket with a 16 KiB receive buffer (fixed, so the kernel does not grow it), to
/// hold back a reply.
private final class SmallWindowClient {
    private let socket: RawSocket

    init(port: Int) throws {
        socket = try RawSocket(port: port, receiveBuffer: 16 << 10)
    }

    func send(_ text: String) throws {
        try socket.send(text)
    }

    /// Reads until the server closes, sleeping `pause` microseconds after each `every` bytes;
    /// returns the bytes read. A receive timeout (10 s without a byte) is a failure.
    func readUntilClosed(pausing pause: UInt32 = 0, every: Int = .max) throws -> Int {
        var total = 0
        var sinceLastPause = 0
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let received = socket.receive(into: &chunk)
            if received == 0 || (received < 0 && errno == ECONNRESET) { return total }
            guard received > 0 else { throw TestFailure("recv failed after \(total) bytes: errno \(errno)") }
            total += received
            sinceLastPause += received
            if sinceLastPause >= every {
                sinceLastPause = 0
                usleep(pause)
            }
        }
    }
}

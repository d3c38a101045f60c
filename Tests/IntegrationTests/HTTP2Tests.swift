import EventServerTesting
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `--http2 on` (experimental): cleartext HTTP/2 with prior knowledge on the plain port, through
/// the same route table and maintenance gate; HTTP/1.1 on the same port unchanged. The client is
/// curl (`--http2-prior-knowledge`), and h2load for many multiplexed streams when it is installed.
@Suite struct HTTP2Tests {
    /// curl's status line, headers and body for one request over HTTP/2 with prior knowledge.
    static func h2(_ port: Int, _ path: String, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        let result = try runProgram(
            "curl", ["-s", "-i", "--http2-prior-knowledge", "--max-time", "10"] + extra + ["http://127.0.0.1:\(port)\(path)"])
        return (result.status, result.output)
    }

    @Test func routesAnswerOverHTTP2AndHTTP11OnOnePort() throws {
        let server = try ServerProcess(["--http2", "on"])
        let root = try Self.h2(server.port, "/")
        #expect(root.output.hasPrefix("HTTP/2 200"), "\(root.output)")
        #expect(root.output.contains("content-length: 23"))
        #expect(root.output.hasSuffix("Hello from eventserver\n"))
        #expect(try Self.h2(server.port, "/nope").output.hasPrefix("HTTP/2 404"))
        let notAllowed = try Self.h2(server.port, "/", ["-X", "DELETE"]).output
        #expect(notAllowed.hasPrefix("HTTP/2 405"))
        #expect(notAllowed.lowercased().contains("allow: "))
        let head = try Self.h2(server.port, "/", ["-I"]).output
        #expect(head.hasPrefix("HTTP/2 200"))
        #expect(head.contains("content-length: 23"))
        #expect(!head.contains("Hello"))
        // HTTP/1.1 on the same port, and the strict checks, as before.
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        #expect(try HTTPConnection(port: server.port).get("/", method: "DELETE").status == 405)
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
    }

    @Test func maintenanceGatesEveryStream() throws {
        let server = try ServerProcess(["--http2", "on"])
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let gated = try Self.h2(server.port, "/").output
        #expect(gated.hasPrefix("HTTP/2 503"), "\(gated)")
        #expect(gated.contains("retry-after: 300"))
        #expect(gated.contains("cache-control: no-store"))
        #expect(try Self.h2(server.port, "/livez").output.hasPrefix("HTTP/2 200"))
        #expect(try Self.h2(server.port, "/readyz").output.hasPrefix("HTTP/2 503"))
        server.send(SIGUSR2)
        try server.waitForState("serving")
        #expect(try Self.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }

    @Test func manyMultiplexedStreamsAllSucceed() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h2load") else {
            // `make test` installs nghttp2-client; without it this case is not run.
            Issue.record("h2load is not installed (nghttp2-client)")
            return
        }
        let server = try ServerProcess(["--http2", "on"])
        let load = try runProgram("h2load", ["-n", "4000", "-c", "10", "-m", "10", "http://127.0.0.1:\(server.port)/"])
        #expect(load.output.contains("4000 succeeded, 0 failed, 0 errored, 0 timeout"), "\(load.output)")
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
    }

    @Test func onByDefault() throws {
        let server = try ServerProcess([])
        #expect(try Self.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func offWhenTurnedOff() throws {
        let server = try ServerProcess(["--http2", "off"])
        // The preface is read as an HTTP/1.1 request without Host: refused (400, closed), counted.
        let refused = try Self.h2(server.port, "/")
        #expect(refused.status != 0, "curl spoke HTTP/2 to a server with --http2 off: \(refused.output)")
        #expect(try refusals(server)["missing_host"] == 1)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }
}

/// Bodies over HTTP/2 are bounded by `--max-body-bytes` as over HTTP/1.1: 413, nothing kept past it.
@Suite struct HTTP2LimitsTests {
    @Test func aBodyOverTheLimitGets413() throws {
        let server = try ServerProcess(["--http2", "on", "--max-body-bytes", "1000"])
        let body = temporaryPath("body")
        defer { try? FileManager.default.removeItem(atPath: body) }
        try String(repeating: "x", count: 5000).write(toFile: body, atomically: true, encoding: .utf8)
        let large = try HTTP2Tests.h2(server.port, "/", ["--data-binary", "@\(body)"]).output
        #expect(large.hasPrefix("HTTP/2 413"), "\(large)")
        let small = try HTTP2Tests.h2(server.port, "/", ["--data-binary", "hello"]).output
        #expect(small.hasPrefix("HTTP/2 405"), "\(small)")  // `/` takes GET and HEAD only
    }
}

/// Async handlers over HTTP/2: the task runs on the loop, its reply goes out on its stream, an
/// error renders as over HTTP/1.1, and many awaiting streams share one connection.
@Suite struct HTTP2AsyncTests {
    @Test func asyncRepliesGoOutOnTheirStreams() throws {
        let server = try ServerProcess(["--http2", "on"], executable: ServerProcess.asyncFixturePath)
        let hello = try HTTP2Tests.h2(server.port, "/async/hello").output
        #expect(hello.hasPrefix("HTTP/2 200"), "\(hello)")
        #expect(hello.contains("x-loop-thread: yes"))
        #expect(hello.hasSuffix("hello from a task\n"))
        #expect(try HTTP2Tests.h2(server.port, "/async/teapot").output.hasPrefix("HTTP/2 409"))
        #expect(try HTTP2Tests.h2(server.port, "/async/broken").output.hasPrefix("HTTP/2 500"))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h2load") else {
            Issue.record("h2load is not installed (nghttp2-client)")
            return
        }
        // 200 streams awaiting a 20 ms sleep each, ten at a time on each of four connections.
        let load = try runProgram("h2load", ["-n", "200", "-c", "4", "-m", "10", "http://127.0.0.1:\(server.port)/async/sleep/20"])
        #expect(load.output.contains("200 succeeded, 0 failed, 0 errored, 0 timeout"), "\(load.output)")
    }
}

/// An idle HTTP/2 connection is closed like an idle HTTP/1.1 one: GOAWAY after the shorter of
/// `--timeout` and `--header-timeout` with no stream open and nothing received.
@Suite struct HTTP2IdleTests {
    @Test func anIdleConnectionGetsGoAwayAndIsClosed() throws {
        let server = try ServerProcess(["--http2", "on", "--timeout", "1"])
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // The preface and an empty SETTINGS frame, then nothing.
        let hello = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
        #expect(hello.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) } == hello.count)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 {
                #expect(count == 0, "the server never closed the idle connection")
                break
            }
            received += chunk[..<count]
        }
        // A GOAWAY frame (type 7) came before the close.
        var offset = 0
        var types: [UInt8] = []
        while offset + 9 <= received.count {
            let length = Int(received[offset]) << 16 | Int(received[offset + 1]) << 8 | Int(received[offset + 2])
            types.append(received[offset + 3])
            offset += 9 + length
        }
        #expect(types.contains(7), "frames received: \(types)")
    }
}

/// A raw HTTP/2 client for the protocol's error paths: frames built by hand.
struct RawHTTP2Client {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect failed") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + Self.frame(type: 4, flags: 0, stream: 0, []))
    }

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    /// :method GET, :scheme http (HPACK static table), :authority localhost (literal, indexed
    /// name 1): a request without :authority or Host is malformed (RFC 9113 §8.3.1).
    static let getHead: [UInt8] = [0x82, 0x86, 0x01, 0x09] + Array("localhost".utf8)

    /// HEADERS for `GET /` (`getHead` and :path / from the static table), END_HEADERS.
    static func getRoot(stream: UInt32, endStream: Bool = true) -> [UInt8] {
        frame(type: 1, flags: 0x4 | (endStream ? 0x1 : 0), stream: stream, getHead + [0x84])
    }

    /// Sends `frame(index)` for index 0, 1, … up to `most`, in 16 KiB batches, until the
    /// kernel's buffers are full and a batch stays unsent for 2 s (true), or all are sent.
    func sendUntilBlocked(most: Int, _ frame: (Int) -> [UInt8]) -> Bool {
        var flags = fcntl(socket, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(socket, F_SETFL, flags)
        defer { _ = fcntl(socket, F_SETFL, flags & ~O_NONBLOCK) }
        var batch: [UInt8] = []
        for index in 0..<most {
            batch += frame(index)
            guard batch.count > 16_384 || index == most - 1 else { continue }
            var offset = 0
            let deadline = Date().addingTimeInterval(2)
            while offset < batch.count && Date() < deadline {  // give a reading server time to read
                let sent = batch[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent > 0 { offset += sent } else { usleep(10_000) }
            }
            if offset < batch.count { return true }
            batch = []
        }
        return false
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send failed") }
            offset += sent
        }
    }

    /// Every frame's type (and a GOAWAY's error code) until the server closes the connection.
    func readUntilClosed() -> (types: [UInt8], goAwayCode: UInt32?, closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var closed = false
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 { closed = count == 0 || errno == ECONNRESET; break }
            received += chunk[..<count]
        }
        var types: [UInt8] = []
        var goAwayCode: UInt32?
        var offset = 0
        while offset + 9 <= received.count {
            let length = Int(received[offset]) << 16 | Int(received[offset + 1]) << 8 | Int(received[offset + 2])
            let type = received[offset + 3]
            types.append(type)
            if type == 7, offset + 9 + 8 <= received.count {
                goAwayCode = received[(offset + 13)..<(offset + 17)].reduce(0) { $0 << 8 | UInt32($1) }
            }
            offset += 9 + length
        }
        return (types, goAwayCode, closed)
    }

    /// The next frame, or nil when the connection closed (or nothing came within 15 s).
    func nextFrame() -> (type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8])? {
        guard let head = receive(9) else { return nil }
        let length = Int(head[0]) << 16 | Int(head[1]) << 8 | Int(head[2])
        let stream = head[5...8].reduce(0) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
        guard let payload = length == 0 ? [] : receive(length) else { return nil }
        return (head[3], head[4], stream, payload)
    }

    private func receive(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes[offset...].withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return nil }
            offset += received
        }
        return bytes
    }

    func close() { Glibc.close(socket) }
}

/// The known HTTP/2 attacks meet a clear refusal, and the server goes on serving others.
@Suite struct HTTP2AttackTests {
    @Test func rapidResetEndsWithGoAwayEnhanceYourCalm() throws {
        let server = try ServerProcess(["--http2", "on"])
        let attacker = try RawHTTP2Client(port: server.port)
        defer { attacker.close() }
        var flood: [UInt8] = []
        for index in 0..<3000 {  // open a stream, reset it at once: CVE-2023-44487
            let stream = UInt32(1 + 2 * index)
            flood += RawHTTP2Client.getRoot(stream: stream, endStream: false)
            flood += RawHTTP2Client.frame(type: 3, flags: 0, stream: stream, [0, 0, 0, 8])  // RST_STREAM CANCEL
        }
        try? attacker.send(flood)  // the server may close before the flood is all sent
        let seen = attacker.readUntilClosed()
        #expect(seen.closed)
        #expect(seen.goAwayCode == 0xB, "GOAWAY error code \(String(describing: seen.goAwayCode)), frames \(seen.types.count)")
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    /// The server announces 100 concurrent streams; a client that opens a 101st while its first
    /// 100 are open gets that one refused (RST_STREAM REFUSED_STREAM), and the others go on.
    @Test func streamsPastOneHundredAreRefused() throws {
        let server = try ServerProcess([])
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        let settings = try #require(client.nextFrame())
        #expect(settings.type == 4 && settings.flags == 0)
        var announced: [UInt16: UInt32] = [:]
        for offset in stride(from: 0, to: settings.payload.count - 5, by: 6) {
            let entry = settings.payload[offset..<(offset + 6)].map { UInt32($0) }
            announced[UInt16(entry[0] << 8 | entry[1])] = entry[2] << 24 | entry[3] << 16 | entry[4] << 8 | entry[5]
        }
        #expect(announced[3] == 100, "SETTINGS \(announced)")  // SETTINGS_MAX_CONCURRENT_STREAMS
        var requests: [UInt8] = []
        for index in 0..<101 { requests += RawHTTP2Client.getRoot(stream: UInt32(1 + 2 * index), endStream: false) }
        try client.send(requests)
        var refusal: [UInt8]?
        while let frame = client.nextFrame() {
            if frame.type == 3 { refusal = frame.stream == 201 ? frame.payload : [] ; break }
        }
        #expect(refusal == [0, 0, 0, 7], "RST_STREAM \(String(describing: refusal))")
        try client.send(RawHTTP2Client.frame(type: 0, flags: 0x1, stream: 1, []))  // stream 1's request ends
        #expect(HTTP2DeadlineTests.body(of: 1, from: client) == Array("Hello from eventserver\n".utf8))
    }

    /// `--max-connections` counts HTTP/2 connections: at the cap accepting pauses, and resumes
    /// when one closes.
    @Test func http2ConnectionsCountTowardsTheCap() throws {
        let server = try ServerProcess(["--max-connections", "3"])
        var clients: [RawHTTP2Client] = []
        for _ in 0..<3 {
            let client = try RawHTTP2Client(port: server.port)
            try client.send(RawHTTP2Client.getRoot(stream: 1))
            #expect(HTTP2DeadlineTests.body(of: 1, from: client) == Array("Hello from eventserver\n".utf8))
            clients.append(client)
        }
        let waiting = try HTTPConnection(port: server.port, timeoutSeconds: 1)
        try waiting.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: HTTPClientError.self) { try waiting.readResponse() }  // not accepted yet
        for client in clients { client.close() }
        let waited = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try waited.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try waited.readResponse().status == 200)
    }

    /// One header field put in the HPACK table, then referenced by one byte each: 16 KiB of
    /// frame would expand to ~50 MB of fields. The fields are counted as they are decoded and
    /// dropped past `--max-header-bytes`: the stream gets 431, the server's memory stays flat.
    @Test func anHPACKBombGets431() throws {
        let server = try ServerProcess([])
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        let before = HTTP2BackpressureTests.residentKiB(server.pid)
        let name = Array("x-bomb".utf8)
        let value = [UInt8](repeating: 0x61, count: 4000)
        // 0x40: literal with incremental indexing, new name; the value's length on 7 bits with
        // prefix 127 then 4000 - 127 = 3873 as 0xA1 0x1E; 0xBE: the entry just indexed (62).
        var block = RawHTTP2Client.getHead + [0x84, 0x40, UInt8(name.count)] + name + [0x7F, 0xA1, 0x1E] + value
        block += [UInt8](repeating: 0xBE, count: 16_384 - block.count)
        try client.send(RawHTTP2Client.frame(type: 1, flags: 0x5, stream: 1, block))
        var status: [UInt8]?
        while let frame = client.nextFrame() {
            if frame.stream == 1 && frame.type == 1 { status = frame.payload; break }
        }
        // :status 431 is not in the static table: literal, indexed name 8 (:status), "431" first.
        #expect(status.map { Array($0.prefix(5).suffix(3)) == Array("431".utf8) } == true, "HEADERS \(String(describing: status))")
        #expect(HTTP2BackpressureTests.residentKiB(server.pid) - before < 8 * 1024)
        try client.send(RawHTTP2Client.getRoot(stream: 3))
        #expect(HTTP2DeadlineTests.body(of: 3, from: client) == Array("Hello from eventserver\n".utf8))
    }

    /// A header block that never ends, one CONTINUATION after another (CVE-2024-27316's
    /// family): past a few frames the connection is dropped and counted as a flood.
    @Test func aContinuationFloodIsDropped() throws {
        let server = try ServerProcess([])
        let attacker = try RawHTTP2Client(port: server.port)
        defer { attacker.close() }
        var flood = RawHTTP2Client.frame(type: 1, flags: 0x1, stream: 1, [0x82, 0x86, 0x84])
        for _ in 0..<10_000 {
            flood += RawHTTP2Client.frame(type: 9, flags: 0, stream: 1, [0x40, 1, 0x78, 1, 0x79])  // x: y
        }
        try? attacker.send(flood)  // the server closes before the flood is all sent
        #expect(attacker.readUntilClosed().closed)
        #expect(try refusals(server)["flood"] == 1)
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }

    /// SETTINGS or PING frames whose acknowledgements are never read: the acknowledgements fill
    /// the output, the server stops reading (its memory stays flat), and after `--timeout` with
    /// nothing taken the connection is closed. nghttp2 also bounds the acknowledgements it
    /// queues (a flood past 1,000 drops the connection at once).
    @Test(arguments: [(UInt8(4), [UInt8]()), (UInt8(6), [UInt8](repeating: 7, count: 8))])
    func aSettingsOrPingFloodNeverReadIsStoppedAndClosed(type: UInt8, payload: [UInt8]) throws {
        let server = try ServerProcess(["--timeout", "2"])
        let before = HTTP2BackpressureTests.residentKiB(server.pid)
        let attacker = try RawHTTP2Client(port: server.port)
        defer { attacker.close() }
        var size: Int32 = 4096
        setsockopt(attacker.socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let blocked = attacker.sendUntilBlocked(most: 4_000_000) { _ in RawHTTP2Client.frame(type: type, flags: 0, stream: 0, payload) }
        #expect(blocked, "the server read every frame of a client that never reads")
        #expect(HTTP2BackpressureTests.residentKiB(server.pid) - before < 16 * 1024)
        let deadline = Date().addingTimeInterval(20)
        while try (refusals(server)["write_timeout"] ?? 0) + (refusals(server)["flood"] ?? 0) == 0 && Date() < deadline {
            usleep(100_000)
        }
        #expect(attacker.readUntilClosed().closed)
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }

    @Test func headerFieldsOverTheLimitGet431() throws {
        let server = try ServerProcess(["--http2", "on", "--max-header-bytes", "1024"])
        let big = try HTTP2Tests.h2(server.port, "/", ["-H", "X-Big: " + String(repeating: "a", count: 4000)]).output
        #expect(big.hasPrefix("HTTP/2 431"), "\(big.prefix(200))")
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }
}

/// A client that sends requests and never reads the replies holds a bounded amount of the
/// server's memory: past a limit of unsent bytes the connection stops being read.
@Suite struct HTTP2BackpressureTests {
    static func residentKiB(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test func aClientThatNeverReadsIsStoppedNotBuffered() throws {
        let server = try ServerProcess(["--http2", "on"])
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
        let before = Self.residentKiB(server.pid)
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        // Up to a million requests (a window update first, so replies are not held by flow
        // control alone), sent until the kernel's buffers are full: the replies fill the
        // client's side, then the server's output, and the server stops reading.
        try client.send(RawHTTP2Client.frame(type: 8, flags: 0, stream: 0, [0x7F, 0xFF, 0x00, 0x00]))
        let blocked = client.sendUntilBlocked(most: 1_000_000) { RawHTTP2Client.getRoot(stream: UInt32(1 + 2 * $0)) }
        let after = Self.residentKiB(server.pid)
        #expect(blocked, "the server read all the requests of a client that never reads")
        #expect(after - before < 16 * 1024, "resident memory grew by \(after - before) KiB")
        // Others are served meanwhile.
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }
}

/// Streamed bodies and files over HTTP/2: DATA frames under flow control until END_STREAM.
@Suite struct HTTP2BodiesTests {
    /// curl's download size and status for `path`, over HTTP/2 with prior knowledge.
    static func download(_ port: Int, _ path: String) throws -> (status: String, bytes: String, body: String) {
        let file = temporaryPath("download")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try runProgram(
            "curl", ["-s", "--http2-prior-knowledge", "--max-time", "20", "-o", file, "-w", "%{http_code} %{size_download} %{http_version}",
                     "http://127.0.0.1:\(port)\(path)"])
        let parts = result.output.split(separator: " ")
        let body = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return (parts.first.map(String.init) ?? "", parts.count > 1 ? String(parts[1]) : "", body)
    }

    @Test func aStreamedBodyArrivesWhole() throws {
        let server = try ServerProcess(["--http2", "on"], executable: ServerProcess.asyncFixturePath)
        // Far over the flow-control window and the watermark: the producer waits and resumes.
        let large = try Self.download(server.port, "/stream/bytes/1000000")
        #expect(large.status == "200")
        #expect(large.bytes == "1000000")
        let head = try HTTP2Tests.h2(server.port, "/stream/bytes/10", ["-I"]).output
        #expect(head.hasPrefix("HTTP/2 200"))
    }

    @Test func staticFilesAreSentFromDisk() throws {
        let root = temporaryPath("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = String(repeating: "0123456789abcdef", count: 20_000)  // 320,000 bytes
        try text.write(toFile: root + "/big.txt", atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--http2", "on", "--root", root])
        let file = try Self.download(server.port, "/static/big.txt")
        #expect(file.status == "200")
        #expect(file.bytes == "320000")
        #expect(file.body == text)
        let range = try HTTP2Tests.h2(server.port, "/static/big.txt", ["-r", "16-31"]).output
        #expect(range.hasPrefix("HTTP/2 206"), "\(range.prefix(120))")
        #expect(range.hasSuffix("0123456789abcdef"))
    }
}

/// HTTP/2 over TLS: ALPN offers h2 ahead of http/1.1 (`--http2 on`, the default); HTTP/1.1-only
/// clients are served as before, and with `--http2 off` ALPN offers http/1.1 alone.
@Suite struct HTTP2TLSTests {
    @Test func alpnNegotiatesH2AndHTTP11ClientsStillConnect() throws {
        let pair = try CertificatePair(commonName: "h2.test")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--http2", "on"])
        let url = "https://127.0.0.1:\(server.port)/"
        let h2 = try run("curl", "-s", "-i", "--http2", "--cacert", pair.certificate, url)
        #expect(h2.output.hasPrefix("HTTP/2 200"), "\(h2.output.prefix(200)) \(h2.errors)")
        #expect(h2.output.hasSuffix("Hello from eventserver\n"))
        let h1 = try run("curl", "-s", "-i", "--http1.1", "--cacert", pair.certificate, url)
        #expect(h1.output.hasPrefix("HTTP/1.1 200"))
        server.send(SIGUSR1)
        try server.waitForLog(containing: "entered maintenance")
        #expect(try run("curl", "-s", "-i", "--http2", "--cacert", pair.certificate, url).output.hasPrefix("HTTP/2 503"))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h2load") else { return }
        server.send(SIGUSR2)
        try server.waitForLog(containing: "left maintenance")
        let load = try runProgram("h2load", ["-n", "2000", "-c", "4", "-m", "10", url])
        #expect(load.output.contains("2000 succeeded, 0 failed, 0 errored, 0 timeout"), "\(load.output)")
    }

    @Test func turnedOffTLSStaysHTTP11() throws {
        let pair = try CertificatePair(commonName: "h1.test")
        let server = try ServerProcess(["--tls-cert", pair.certificate, "--tls-key", pair.key, "--http2", "off"])
        let answer = try run("curl", "-s", "-i", "--http2", "--cacert", pair.certificate, "https://127.0.0.1:\(server.port)/")
        #expect(answer.output.hasPrefix("HTTP/1.1 200"), "\(answer.output.prefix(120))")
    }
}

/// The access log names the protocol a request came over.
@Suite struct HTTP2AccessLogTests {
    @Test func http2RequestsAreLoggedAsHTTP20() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--http2", "on", "--access-log", log, "--access-log-format", "json"])
        #expect(try HTTP2Tests.h2(server.port, "/over-h2").output.hasPrefix("HTTP/2 404"))
        #expect(try HTTPConnection(port: server.port).get("/over-h1").status == 404)
        let deadline = Date().addingTimeInterval(10)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("/over-h1") && text.contains("/over-h2") { break }
            usleep(20_000)
        }
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"target\":\"/over-h2\"") && $0.contains("\"protocol\":\"HTTP/2.0\"") }, "\(text)")
        #expect(lines.contains { $0.contains("\"target\":\"/over-h1\"") && $0.contains("\"protocol\":\"HTTP/1.1\"") })
    }
}

/// `/metrics` counts replies by protocol.
@Suite struct HTTP2MetricsTests {
    @Test func repliesAreCountedByProtocol() throws {
        let server = try ServerProcess(["--http2", "on"])
        for _ in 0..<3 { #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200")) }
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        let metrics = try parseWithPrometheusClient(try HTTPConnection(port: server.port).get("/metrics").text)
        #expect(metrics["eventserver_http_responses_by_protocol_total{protocol=\"h2\"}"] == 3, "\(metrics.keys.filter { $0.contains("protocol") })")
        #expect(metrics["eventserver_http_responses_by_protocol_total{protocol=\"http/1.1\"}"] == 1)
    }
}

/// Multiplexed HTTP/2 load while maintenance flips back and forth: every request is answered
/// (200 or the 503 page), none errors or times out, and the server ends serving.
@Suite struct HTTP2SignalStormTests {
    @Test func h2loadThroughAUsr1Usr2Storm() throws {
        let server = try ServerProcess(["--http2", "on"])
        let load = try H2Load(["-n", "40000", "-c", "10", "-m", "10", "http://127.0.0.1:\(server.port)/"])
        var signals = 0
        while load.isRunning && signals < 400 {  // bounded: 400 signals at most, 10 ms apart
            server.send(signals % 2 == 0 ? SIGUSR1 : SIGUSR2)
            signals += 1
            usleep(10_000)
        }
        server.send(SIGUSR2)
        let line = load.requestsLine()
        #expect(line.contains("40000 done"), "\(line)")
        #expect(line.contains("0 errored, 0 timeout"), "\(line)")
        #expect(signals > 0)
        try server.waitForState("serving")
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }
}

/// `ctl upgrade` under multiplexed load: the old process sends GOAWAY (a shutdown notice, then
/// the last stream it took), finishes every stream it took and exits; the new one serves.
@Suite struct HTTP2UpgradeTests {
    /// Replies sent over HTTP/2 by whichever process answers `/metrics`.
    static func h2Replies(_ port: Int) throws -> Int {
        let text = try HTTPConnection(port: port).get("/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("eventserver_http_responses_by_protocol_total{protocol=\"h2\"}") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
    }

    @Test func h2loadThroughAnUpgradeLosesNothing() throws {
        let pidFile = temporaryPath("h2-upgrade.pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        // For a duration, not a count: h2load does not reconnect after GOAWAY, so in `-n` mode
        // the requests a closed connection had not started yet would count as errored.
        let load = try H2Load(["-D", "6", "-c", "10", "-m", "10", "http://127.0.0.1:\(server.port)/"])
        let deadline = Date().addingTimeInterval(20)
        while try Self.h2Replies(server.port) < 2000 && Date() < deadline { usleep(50_000) }
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
        let newPID = try #require(PIDFileReader.pid(pidFile))
        #expect(newPID != server.pid)
        let line = load.requestsLine()
        // total, started, done, succeeded, failed, errored, timeout
        let counts = line.split(separator: ",").map { $0.split(separator: " ").compactMap { Int($0) }.first ?? -1 }
        try #require(counts.count >= 7, "\(line)")
        #expect(counts[1] == counts[2] && counts[3] > 2000 && counts[6] == 0, "\(line)")
        // Every request the server took was answered 2xx. Once a connection has GOAWAY, nghttp2
        // refuses to start the streams h2load still submits on it (it opens no new connection),
        // and h2load counts those as errored though they never left the client: at most one
        // window a connection, 10 x 10 here.
        #expect(counts[4] == counts[5] && counts[5] <= 100, "\(line)")
        try waitUntilGone(server.pid)
        // The old process drained every connection, HTTP/2 streams included, before its timeout.
        #expect(!server.log.contains("shutdown timeout"), "\(server.log.suffix(600))")
        let after = try H2Load(["-n", "2000", "-c", "10", "-m", "10", "http://127.0.0.1:\(server.port)/"]).requestsLine()
        #expect(after.contains("2000 succeeded, 0 failed, 0 errored, 0 timeout"), "\(after)")
    }
}

/// h2load (Debian's nghttp2-client) run in the background; `requestsLine` waits for it.
final class H2Load {
    private let process = Process()
    private let output = Pipe()

    init(_ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h2load") else {
            throw TestFailure("h2load is not installed (nghttp2-client)")
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/h2load")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// h2load's "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout".
    func requestsLine() -> String {
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").first { $0.hasPrefix("requests:") }.map(String.init) ?? text
    }
}

import EventServerTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1's deadlines hold per stream over HTTP/2: a request body that stops arriving gets 408
/// on its stream while the connection goes on serving; a header block held open ends the
/// connection; a client that takes none of its replies is closed.
@Suite struct HTTP2DeadlineTests {
    /// The DATA payloads received on `stream`, until it ends; nil if the connection closed first.
    static func body(of stream: UInt32, from client: RawHTTP2Client) -> [UInt8]? {
        var body: [UInt8] = []
        while let frame = client.nextFrame() {
            guard frame.stream == stream else { continue }
            if frame.type == 0 { body += frame.payload }
            if frame.type == 3 || (frame.type <= 1 && frame.flags & 0x1 != 0) { return body }  // RST_STREAM, END_STREAM
        }
        return nil
    }

    @Test func aStalledBodyGets408OnItsStreamAndTheConnectionServesOn() throws {
        let server = try ServerProcess(["--request-timeout", "2", "--timeout", "30"])
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        // HEADERS for GET / without END_STREAM, with one byte of body: then nothing more.
        try client.send(RawHTTP2Client.getRoot(stream: 1, endStream: false))
        try client.send(RawHTTP2Client.frame(type: 0, flags: 0, stream: 1, [0x61]))
        #expect(Self.body(of: 1, from: client) == Array("request timeout\n".utf8))
        #expect(try refusals(server)["request_timeout"] == 1)
        // The same connection answers its next stream.
        try client.send(RawHTTP2Client.getRoot(stream: 3))
        #expect(Self.body(of: 3, from: client) == Array("Hello from eventserver\n".utf8))
    }

    @Test func aHeaderBlockHeldOpenEndsTheConnection() throws {
        let server = try ServerProcess(["--header-timeout", "2", "--timeout", "30"])
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        // HEADERS without END_HEADERS, and never the CONTINUATION that would end the block.
        try client.send(RawHTTP2Client.frame(type: 1, flags: 0x1, stream: 1, [0x82, 0x86]))
        let seen = client.readUntilClosed()
        #expect(seen.closed)
        #expect(seen.goAwayCode == 0xB, "GOAWAY \(String(describing: seen.goAwayCode))")
        #expect(try refusals(server)["header_timeout"] == 1)
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }

    @Test func aClientThatTakesNoReplyIsClosedAfterTheTimeout() throws {
        let folder = temporaryPath("h2-static")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(repeating: 0x61, count: 1 << 20).write(to: URL(fileURLWithPath: folder + "/big.bin"))
        let server = try ServerProcess(["--timeout", "2", "--root", folder])
        let client = try RawHTTP2Client(port: server.port)
        defer { client.close() }
        var size: Int32 = 4096  // a small receive buffer, so the replies back up on the server
        setsockopt(client.socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        // The largest window, then 99 requests for a 1 MiB file, never read.
        let path = Array("/static/big.bin".utf8)
        var requests = RawHTTP2Client.frame(type: 8, flags: 0, stream: 0, [0x7F, 0xFF, 0x00, 0x00])
        for index in 0..<99 {  // :path literal, indexed name 4
            requests += RawHTTP2Client.frame(
                type: 1, flags: 0x5, stream: UInt32(1 + 2 * index), RawHTTP2Client.getHead + [0x04, UInt8(path.count)] + path)
        }
        try client.send(requests)
        let deadline = Date().addingTimeInterval(20)
        var refused = 0
        while Date() < deadline {
            refused = try refusals(server)["write_timeout"] ?? 0
            if refused > 0 { break }
            usleep(100_000)
        }
        #expect(refused == 1, "the server kept a client that read nothing")
        #expect(try HTTP2Tests.h2(server.port, "/").output.hasPrefix("HTTP/2 200"))
    }
}

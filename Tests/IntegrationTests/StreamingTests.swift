import EventServerTesting
import Foundation
import Testing

/// Streamed bodies (chunked, with backpressure) and the Server-Sent Events state feed.
@Suite struct StreamingTests {
    @Test func aStreamedBodyArrivesWhole() throws {
        let server = try AsyncRoutesTests.fixture()
        let connection = try HTTPConnection(port: server.port)
        let streamed = try connection.get("/stream/bytes/100000")
        #expect(streamed.status == 200)
        #expect(streamed[header: "Transfer-Encoding"] == "chunked")
        #expect(streamed.body.count == 100_000)
        // The connection stays usable after the last chunk.
        #expect(try connection.get("/").status == 200)
        let head = try HTTPConnection(port: server.port).get("/stream/bytes/100000", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    /// 64 MiB to a client that reads slowly: the writer waits at the watermark, so the server's
    /// memory grows by far less than the body; every byte still arrives.
    @Test func aSlowReaderHoldsTheWriterBack() throws {
        let server = try AsyncRoutesTests.fixture()
        let total = 64 * 1024 * 1024
        let before = try Self.residentMiB(server.pid)
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 30)
        try connection.write("GET /stream/bytes/\(total) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readHead().status == 200)
        var received = 0
        var peak = before
        while received < total {
            guard let chunk = try connection.readChunk() else { break }
            received += chunk.count
            if received % (4 * 1024 * 1024) < chunk.count {  // every 4 MiB: pause, let the server run ahead
                usleep(50_000)
                peak = max(peak, try Self.residentMiB(server.pid))
            }
        }
        #expect(try connection.readChunk() == nil)
        #expect(received == total)
        #expect(peak - before < 24, "resident memory grew from \(before) to \(peak) MiB while streaming 64 MiB")
    }

    @Test func aStreamStopsWhenTheClientLeaves() throws {
        let server = try AsyncRoutesTests.fixture()
        do {
            let leaving = try HTTPConnection(port: server.port)
            try leaving.write("GET /stream/bytes/\(1 << 30) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try leaving.readHead().status == 200)
            _ = try leaving.readChunk()
        }
        try AsyncRoutesTests.waitForCancellations(1, server)
        try AsyncRoutesTests.waitForRepliesInFlight(1, server)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func theStateFeedSendsEveryChangeInOrder() throws {
        let server = try ServerProcess()
        let feed = try HTTPConnection(port: server.port)
        try feed.write("GET /status/events HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try feed.readHead()
        #expect(head.status == 200)
        #expect(head[header: "Content-Type"] == "text/event-stream; charset=utf-8")
        #expect(try Self.nextEvent(feed).name == "serving")
        for round in 0..<3 {
            server.send(SIGUSR1)
            let entered = try Self.nextEvent(feed)
            #expect(entered.name == "maintenance", "round \(round)")
            #expect(entered.data.contains(#""state":"maintenance""#))
            server.send(SIGUSR2)
            #expect(try Self.nextEvent(feed).name == "serving", "round \(round)")
        }
        // The feed is exempt: a new subscriber in maintenance gets the state at once.
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let late = try HTTPConnection(port: server.port)
        try late.write("GET /status/events HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try late.readHead().status == 200)
        #expect(try Self.nextEvent(late).name == "maintenance")
        // A graceful stop ends open feeds instead of waiting for the timeout.
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
    }

    /// The next event on a Server-Sent Events stream (one per chunk, as the server writes them).
    static func nextEvent(_ connection: HTTPConnection) throws -> (name: String, data: String) {
        guard let chunk = try connection.readChunk() else { throw TestFailure("the event stream ended") }
        let lines = String(decoding: chunk, as: UTF8.self).split(separator: "\n")
        let name = lines.first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) } ?? ""
        let data = lines.filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }.joined(separator: "\n")
        return (name, data)
    }

    static func residentMiB(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw TestFailure("no VmRSS for \(pid)") }
        return kib / 1024
    }
}

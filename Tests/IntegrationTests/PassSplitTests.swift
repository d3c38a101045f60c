import EventServerTesting
import Foundation
import Testing

/// With many connections ready at once, a loop pass polls again halfway (Evhttp/PassSplit.swift):
/// the replies already made before the split, and the requests left for after it, must all
/// arrive, in order on each connection.
@Suite struct PassSplitTests {
    @Test func everyPipelinedReplyArrivesWhenPassesSplit() throws {
        let server = try ServerProcess([])
        // 64 connections: a pass splits after 32 requests, so each round below splits at least
        // five times (192 requests).
        let connections = try (0..<64).map { _ in try HTTPConnection(port: server.port) }
        for round in 0..<2 {
            for connection in connections {
                try connection.write(
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nowhere-\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
            }
            for connection in connections {
                let hello = try connection.readResponse()
                #expect(hello.status == 200)
                #expect(hello.text == "Hello from eventserver\n")
                #expect(try connection.readResponse().status == 200)
                #expect(try connection.readResponse().status == 404)
            }
        }
    }
}

import EventServerTesting
import Foundation
import Testing

/// Bad input gets a clear 4xx (or a close), and the server keeps serving.
@Suite struct BadInputTests {
    @Test func oversizedHeaderBlockIsRefusedAndServingContinues() throws {
        let server = try ServerProcess(["--max-header-bytes", "4096"])
        let connection = try HTTPConnection(port: server.port)
        let huge = String(repeating: "a", count: 16 * 1024)
        try connection.write("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(huge)\r\n\r\n")
        if let response = try? connection.readResponse() {
            #expect((400..<500).contains(response.status))
        }
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func oversizedBodyGets413() throws {
        let server = try ServerProcess(["--max-body-bytes", "1024"])
        let connection = try HTTPConnection(port: server.port)
        let body = String(repeating: "b", count: 4096)
        try connection.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n\(body)")
        #expect(try connection.readResponse().status == 413)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    ])
    func smugglingShapesGet400AndAClosedConnection(raw: String) throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write(raw + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(response[header: "Connection"] == "close")
        #expect(connection.isClosedByServer())
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func pipelinedHeadThenGetStayInSync() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.readResponse(method: "HEAD")
        #expect(head.status == 200)
        #expect(head[header: "Content-Length"] == "23")
        let get = try connection.readResponse()
        #expect(get.status == 200)
        #expect(get.text == "alive\n")
    }

    @Test func unknownMethodGets501() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write("BREW / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 501)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func doubleSlashPathIsNotRewritten() throws {
        let server = try ServerProcess()
        #expect(try HTTPConnection(port: server.port).get("//livez").status == 404)
    }
}

@Suite struct ProtocolEdgeTests {
    @Test func connectIsRefusedAndTheConnectionClosed() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port, timeoutSeconds: 2)
        try connection.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 405)
        #expect(response.text == "Method Not Allowed\n")
        #expect(response[header: "Connection"] == "close")
        #expect(connection.isClosedByServer())
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test(arguments: ["xchunked", "gzip", "chunked, gzip", "identity"])
    func transferEncodingsOtherThanChunkedAreRefused(coding: String) throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        try connection.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(coding)\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(connection.isClosedByServer())
    }

    @Test func traceGets405FromTheTable() throws {
        let server = try ServerProcess()
        let response = try HTTPConnection(port: server.port).get("/", method: "TRACE")
        #expect(response.status == 405)
        #expect(response[header: "Allow"] == "GET, HEAD, OPTIONS")
    }
}

@Suite struct ConnectionCapTests {
    @Test func acceptingPausesAtTheCapAndResumesWhenConnectionsClose() throws {
        let server = try ServerProcess(["--max-connections", "20"])
        #expect(server.log.contains("max_connections=20"))
        // 20 connections are accepted; the rest wait in the backlog.
        var idle: [HTTPConnection] = []
        for _ in 0..<120 { idle.append(try HTTPConnection(port: server.port)) }
        // No pause needed: the kernel's accept queue is FIFO, so this connection waits behind the
        // 100 the server has not accepted, however far it got with the first 20.
        let waiting = try HTTPConnection(port: server.port, timeoutSeconds: 1)
        try waiting.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: HTTPClientError.self) { try waiting.readResponse() }  // not accepted yet
        idle.removeAll()  // accepting resumes as soon as connections close
        // A new connection is accepted from the backlog and answered (waited for, not timed).
        let waited = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try waited.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let served = try waited.readResponse()
        #expect(served.status == 200)
        let pauses = served.text.split(separator: "\n").first { $0.hasPrefix("eventserver_accept_pauses_total ") }
        #expect((pauses?.split(separator: " ").last).flatMap { Int($0) } ?? 0 > 0)
        #expect(server.log.contains("[libevent]") == false)
    }
}

import EventServerTesting
import Foundation
import Testing

/// The transport joins a reply's fields into one entry of evhttp's list (Evhttp/ReplyHead.swift),
/// skipping evhttp's own check of each value: it must still refuse what evhttp refused. On
/// libevent's plain paths (`EVENTSERVER_PLAIN_LIBEVENT=1`) each field is added by evhttp, with the
/// same outcome.
@Suite struct ReplyHeadTests {
    @Test(arguments: ["/headers/careless", "/headers/careless-stream"], [false, true])
    func fieldsThatCouldSplitTheReplyAreDropped(path: String, plainPaths: Bool) throws {
        let server = try ServerProcess(
            [], executable: ServerProcess.asyncFixturePath,
            environment: plainPaths ? ["EVENTSERVER_PLAIN_LIBEVENT": "1"] : [:])
        let connection = try HTTPConnection(port: server.port)
        for _ in 0..<2 {  // the same connection again: the framing held
            try connection.write("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            let reply = try connection.readResponse()
            #expect(reply.text == (path.hasSuffix("stream") ? "streamed\n" : "careless\n"))
            if !path.hasSuffix("stream") { #expect(reply[header: "Content-Length"] == "9") }
            #expect(reply.status == 200)
            let names = reply.headers.map { $0.name.lowercased() }
            #expect(reply[header: "X-Kept"] == "yes")
            #expect(!names.contains("set-cookie"))
            #expect(!names.contains("x-split"))
            #expect(!names.contains("x-folded"))
            #expect(!names.contains("bad name"))
            #expect(!names.contains("connection"))
            #expect(names.filter { $0 == "content-type" }.count == 1)
            #expect(reply[header: "Content-Type"] == "text/plain; charset=utf-8")
            #expect(names.filter { $0 == "date" }.count == 1)
        }
    }

    @Test func aHandlersContentTypeIsSentOnceAndHeadGetsTheSameHead() throws {
        let server = try ServerProcess([], executable: ServerProcess.asyncFixturePath)
        let connection = try HTTPConnection(port: server.port)
        let get = try connection.get("/stream/bytes/10")
        #expect(get.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value) == ["application/octet-stream"])
        let head = try connection.get("/", method: "HEAD")
        let plain = try connection.get("/")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers.map(\.name) == plain.headers.map(\.name))
        #expect(head[header: "Content-Length"] == plain[header: "Content-Length"])
    }
}

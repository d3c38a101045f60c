import EventServerTesting
import Foundation
import Testing

/// Requests the transport answers without evhttp's parser and reply path
/// (Evhttp/HTTPServerTransport+Direct.swift): the bytes on the wire must be evhttp's, byte for
/// byte (evhttp itself answers them with `EVENTSERVER_PLAIN_LIBEVENT=1`), a reply the socket
/// does not take whole must reach the client and leave the connection serving, and a client
/// that leaves mid-reply must cost nothing.
@Suite struct DirectRepliesTests {
    static let requests = [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /nope?x=1 HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n",
        "HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /livez HTTP/1.1\nHost: x\nX-Tab:\t a \t\n\n",
        "GET /readyz#fragment HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n",
    ]

    /// The replies to `requests` on one keep-alive connection each, in service and then in
    /// maintenance, with the values that differ from run to run masked (`Date`, request ids).
    private func replies(plainPaths: Bool) throws -> (replies: [String], direct: Int) {
        let server = try ServerProcess(
            ["--request-id"], environment: plainPaths ? ["EVENTSERVER_PLAIN_LIBEVENT": "1"] : [:])
        var replies: [String] = []
        for maintenance in [false, true] {
            if maintenance {
                server.send(SIGUSR1)
                try server.waitForState("maintenance")
            }
            let client = try RawClient(port: server.port)
            for request in Self.requests {
                try client.send(request)
                replies.append(Self.masked(try client.readReply(head: request.hasPrefix("HEAD"))))
            }
        }
        return (replies, try directReplies(server))
    }

    private static func masked(_ reply: String) -> String {
        reply.replacingOccurrences(of: #"(Date|X-Request-ID): [^\r]*"#, with: "$1: …", options: .regularExpression)
    }

    @Test func directRepliesAreTheBytesEvhttpWouldSend() throws {
        let direct = try replies(plainPaths: false)
        let evhttp = try replies(plainPaths: true)
        #expect(direct.direct >= Self.requests.count * 2, "each request was answered directly")
        #expect(evhttp.direct == 0)
        #expect(direct.replies.count == evhttp.replies.count)
        for (mine, theirs) in zip(direct.replies, evhttp.replies) {
            #expect(mine == theirs)
        }
        #expect(direct.replies[0].hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(direct.replies[6].hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
    }

    /// 8 MiB in memory against a client that reads through a 16 KiB window: the socket takes the
    /// reply in pieces, and a request sent meanwhile is answered after it, on the same connection.
    @Test func aReplyTheSocketTakesInPiecesArrivesWholeAndTheConnectionServesOn() throws {
        let server = try ServerProcess([], executable: ServerProcess.asyncFixturePath)
        let client = try RawClient(port: server.port, receiveBuffer: 16 << 10)
        let size = 8 << 20
        try client.send("GET /bytes/\(size) HTTP/1.1\r\nHost: x\r\n\r\n")
        try waitForRepliesInFlight(server, toBe: 1)  // the reply is stuck in the window
        try client.send("GET /?after HTTP/1.1\r\nHost: x\r\n\r\n")
        let big = try client.readReply()
        #expect(big.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(big.hasSuffix(String(repeating: "y", count: 1024)))
        #expect(big.utf8.count > size)
        #expect(big.contains("Content-Length: \(size)\r\n"))
        #expect(try client.readReply().hasSuffix("\r\n\r\nHello from eventserver\n"))
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readReply().hasSuffix("Hello from eventserver\n"))
        #expect(try directReplies(server) >= 2)
        try waitForRepliesInFlight(server, toBe: 0)
    }

    /// Over TLS the reply is encrypted and written at once (`ctls_write_output_now`); 8 MiB does
    /// not fit the socket, so OpenSSL's bufferevent writes the rest, and the connection goes on.
    @Test func overTLSABigReplyAndTheNextOnTheConnectionArrive() throws {
        let pair = try CertificatePair(commonName: "direct")
        let server = try ServerProcess(
            ["--tls-cert", pair.certificate, "--tls-key", pair.key], executable: ServerProcess.asyncFixturePath)
        let connection = try HTTPConnection(port: server.port, trusting: pair.certificate)
        let before = try directRepliesOverTLS(server, pair)
        for _ in 0..<2 {
            let big = try connection.get("/bytes/\(8 << 20)")
            #expect(big.status == 200)
            #expect(big.body.count == 8 << 20)
            #expect(try connection.get("/").text == "Hello from eventserver\n")
        }
        #expect(try directRepliesOverTLS(server, pair) - before >= 4)
        // A client that leaves mid-reply.
        do {
            let leaving = try HTTPConnection(port: server.port, trusting: pair.certificate)
            try leaving.write("GET /bytes/\(8 << 20) HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try leaving.readHead()
        }  // closed here, the reply mostly unread
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, try metricOverTLS("eventserver_replies_in_flight", server, pair) != 1 { usleep(20_000) }
        #expect(try metricOverTLS("eventserver_replies_in_flight", server, pair) == 1)  // the /metrics reply itself
    }

    private func directRepliesOverTLS(_ server: ServerProcess, _ pair: CertificatePair) throws -> Int {
        try metricOverTLS("eventserver_direct_replies_total", server, pair)
    }

    private func metricOverTLS(_ name: String, _ server: ServerProcess, _ pair: CertificatePair) throws -> Int {
        let text = try HTTPConnection(port: server.port, trusting: pair.certificate).get("/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        guard let value = line?.split(separator: " ").last.flatMap({ Int($0) }) else { throw TestFailure("no \(name)") }
        return value
    }

    /// An async handler's request read directly: its reply is evhttp's bytes, a request sent
    /// while its task runs waits for it, and a task's stream goes to evhttp after all.
    @Test func asyncRepliesReadDirectlyKeepTheirOrderAndBytes() throws {
        var replies: [[String]] = []
        var direct: [Int] = []
        for plainPaths in [false, true] {
            let server = try ServerProcess(
                [], executable: ServerProcess.asyncFixturePath,
                environment: plainPaths ? ["EVENTSERVER_PLAIN_LIBEVENT": "1"] : [:])
            let client = try RawClient(port: server.port)
            var these: [String] = []
            for path in ["/async/hello", "/async/then-stream", "/async/teapot", "/async/hello"] {
                try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                these.append(Self.masked(try client.readReply(head: false, chunked: path.hasSuffix("stream"))))
            }
            // The next request arrives while the task sleeps: answered after the slow one.
            try client.send("GET /async/sleep/300 HTTP/1.1\r\nHost: x\r\n\r\n")
            try waitForRepliesInFlight(server, toBe: 1)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            these.append(Self.masked(try client.readReply()))
            these.append(Self.masked(try client.readReply()))
            replies.append(these)
            direct.append(try directReplies(server))
        }
        #expect(replies[0] == replies[1])
        #expect(replies[0][0].hasSuffix("\r\n\r\nhello from a task\n"))
        #expect(replies[0][1].contains("\r\n9\r\nstreamed \r\nd\r\nafter a task\n\r\n0\r\n\r\n"))
        #expect(replies[0][2].hasPrefix("HTTP/1.1 409 "))
        #expect(replies[0][4].hasSuffix("slept 300\n"))
        #expect(replies[0][5].hasSuffix("Hello from eventserver\n"))
        #expect(direct[0] >= 5, "the async replies and the last one were written directly")
        #expect(direct[1] == 0)
    }

    @Test func aClientThatLeavesMidReplyCostsNothing() throws {
        let server = try ServerProcess([], executable: ServerProcess.asyncFixturePath)
        for _ in 0..<3 {
            let client = try RawClient(port: server.port, receiveBuffer: 16 << 10)
            try client.send("GET /bytes/\(8 << 20) HTTP/1.1\r\nHost: x\r\n\r\n")
            try waitForRepliesInFlight(server, toBe: 1)
        }  // each client closes here, its reply unread
        try waitForRepliesInFlight(server, toBe: 0)
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.get("/").status == 200)
        #expect(try directReplies(server) >= 3)
    }
}

private func metric(_ name: String, of server: ServerProcess) throws -> Int {
    let text = try HTTPConnection(port: server.port).get("/metrics").text
    let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
    guard let value = line?.split(separator: " ").last.flatMap({ Int($0) }) else { throw TestFailure("no \(name)") }
    return value
}

private func directReplies(_ server: ServerProcess) throws -> Int {
    try metric("eventserver_direct_replies_total", of: server)
}

/// Waits (bounded) until the replies in flight, other than the `/metrics` reply asking, are `count`.
private func waitForRepliesInFlight(_ server: ServerProcess, toBe count: Int, seconds: Double = 15) throws {
    let deadline = Date().addingTimeInterval(seconds)
    var seen = -1
    while Date() < deadline {
        seen = try metric("eventserver_replies_in_flight", of: server) - 1
        if seen == count { return }
        usleep(20_000)
    }
    throw TestFailure("replies in flight: \(seen), not \(count), within \(seconds)s")
}

/// A client on a raw socket that reads replies as bytes (framed by their Content-Length).
private final class RawClient {
    private let socket: RawSocket
    private var buffered: [UInt8] = []

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        socket = try RawSocket(port: port, receiveBuffer: receiveBuffer)
    }

    func send(_ text: String) throws {
        try socket.send(text)
    }

    /// The next reply, head and body; `head`: a reply to HEAD, which has no body; `chunked`: a
    /// chunked body, read to its last chunk.
    func readReply(head: Bool = false, chunked: Bool = false) throws -> String {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffered.indices.dropLast(3).first { Array(buffered[$0..<($0 + 4)]) == separator }.map { $0 + 4 }
            if headEnd == nil { try receive() }
        }
        if chunked {
            let last = Array("\r\n0\r\n\r\n".utf8)
            var end: Int?
            while end == nil {
                end = buffered.indices.dropLast(last.count - 1).first { $0 >= headEnd! - 2 && Array(buffered[$0..<($0 + last.count)]) == last }
                    .map { $0 + last.count }
                if end == nil { try receive() }
            }
            let reply = String(decoding: buffered[..<end!], as: UTF8.self)
            buffered.removeFirst(end!)
            return reply
        }
        let headText = String(decoding: buffered[..<headEnd!], as: UTF8.self)
        let length = head ? 0 : headText.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while buffered.count < headEnd! + length { try receive() }
        let reply = String(decoding: buffered[..<(headEnd! + length)], as: UTF8.self)
        buffered.removeFirst(headEnd! + length)
        return reply
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let received = socket.receive(into: &chunk)
        guard received > 0 else { throw TestFailure("recv: \(received), errno \(errno)") }
        buffered += chunk[..<received]
    }
}

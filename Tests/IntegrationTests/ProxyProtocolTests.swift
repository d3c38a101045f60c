import EventServerTesting
import Foundation
import Testing

/// `--proxy-protocol-from`: behind a balancer that speaks the PROXY protocol, the client's address
/// comes from the header (access log, allow-list), a trusted peer must send one, and nobody else
/// may. The tests connect from 127.0.0.1, trusted or not as each server is started.
@Suite struct ProxyProtocolTests {
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// v2 LOCAL: a balancer's own connection (its health checks), which keeps the socket's address.
    static let local: [UInt8] = v2Signature + [0x20, 0x00, 0x00, 0x00]

    /// v2 PROXY over TCP/IPv4 from `source`, with an unknown TLV the server must skip.
    static func v2(from source: [UInt8]) -> [UInt8] {
        let body = source + [127, 0, 0, 1, 0xC3, 0x50, 0x1F, 0x90] + [0xEE, 0x00, 0x02, 0xAB, 0xCD]
        return v2Signature + [0x21, 0x11, 0x00, UInt8(body.count)] + body
    }

    static func v1(from source: String) -> String { "PROXY TCP4 \(source) 127.0.0.1 50000 8080\r\n" }

    /// A connection that begins like a balancer's health check, for the test's own requests.
    static func localConnection(_ server: ServerProcess) throws -> HTTPConnection {
        let connection = try HTTPConnection(port: server.port)
        try connection.write(local)
        return connection
    }

    static func refusalsAskedAsBalancer(_ server: ServerProcess) throws -> [String: Int] {
        let text = try localConnection(server).get("/metrics").text
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("eventserver_connections_refused_total{reason=\"") {
            counts[String(line.split(separator: "\"")[1])] = line.split(separator: " ").last.flatMap { Int($0) }
        }
        return counts
    }

    static func waitForAccessLog(_ path: String, containing text: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return }
            usleep(20_000)
        }
        throw TestFailure("\(path) has no line with \(text)")
    }

    @Test func aTrustedBalancersHeaderGivesTheClientsAddress() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--proxy-protocol-from", "127.0.0.0/8", "--access-log", log])
        // Version 1, the request in the same write, and a second request on the connection.
        let first = try HTTPConnection(port: server.port)
        try first.write(Self.v1(from: "192.0.2.7") + "GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try first.readResponse().status == 404)
        #expect(try first.get("/").status == 200)
        // Version 2 with a TLV, one byte a write: the header split across reads.
        let second = try HTTPConnection(port: server.port)
        for byte in Self.v2(from: [198, 51, 100, 23]) {
            try second.write([byte])
            usleep(1_000)
        }
        #expect(try second.get("/two").status == 404)
        // LOCAL keeps the socket's address.
        #expect(try Self.localConnection(server).get("/three").status == 404)
        try Self.waitForAccessLog(log, containing: "GET /three")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("192.0.2.7 ") && $0.contains("GET /one ") })
        #expect(lines.contains { $0.hasPrefix("198.51.100.23 ") && $0.contains("GET /two ") })
        #expect(lines.contains { $0.hasPrefix("127.0.0.1 ") && $0.contains("GET /three ") })
        #expect(try Self.refusalsAskedAsBalancer(server).values.reduce(0, +) == 0)
    }

    @Test func theAllowListSeesTheAddressFromTheHeader() throws {
        let server = try ServerProcess(["--proxy-protocol-from", "127.0.0.1", "--maintenance-allow", "203.0.113.0/24"])
        server.send(SIGUSR1)
        try server.waitForLog(containing: "entered maintenance")
        let inside = try HTTPConnection(port: server.port)
        try inside.write(Self.v1(from: "203.0.113.9"))
        #expect(try inside.get("/").status == 200)
        let outside = try HTTPConnection(port: server.port)
        try outside.write(Self.v2(from: [198, 51, 100, 1]))
        #expect(try outside.get("/").status == 503)
        #expect(try Self.localConnection(server).get("/").status == 503)  // the balancer itself
    }

    @Test func aTrustedPeerWithoutAValidHeaderIsRefusedAndCounted() throws {
        let server = try ServerProcess(["--proxy-protocol-from", "127.0.0.1/32", "--header-timeout", "1"])
        let bare = try HTTPConnection(port: server.port)
        try bare.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try bare.readResponse().status == 400)
        #expect(bare.isClosedByServer())
        let malformed = try HTTPConnection(port: server.port)
        try malformed.write("PROXY TCP4 192.0.2.7 ::1 1 2\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try malformed.readResponse().status == 400)
        #expect(malformed.isClosedByServer())
        let oversized = try HTTPConnection(port: server.port)
        try oversized.write(Self.v2Signature + [0x21, 0x11, 0x40, 0x00])
        #expect(try oversized.readResponse().status == 400)
        // A header that never ends falls under --header-timeout: closed.
        let stalled = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try stalled.write("PROXY TCP4 192.0.2.7")
        #expect(stalled.isClosedByServer())
        // After a valid header, the strict HTTP/1.1 checks apply to the request as usual.
        let smuggler = try HTTPConnection(port: server.port)
        try smuggler.write(Self.v1(from: "192.0.2.8") + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        #expect(try smuggler.readResponse().status == 400)
        let counts = try Self.refusalsAskedAsBalancer(server)
        #expect(counts["proxy_header_missing"] == 1)
        #expect(counts["proxy_header_invalid"] == 2)
        #expect(counts["duplicate_content_length"] == 1)
        #expect(try Self.localConnection(server).get("/").status == 200)
    }

    @Test func anyOtherPeerMayNotSendAHeader() throws {
        let server = try ServerProcess(["--proxy-protocol-from", "10.0.0.0/8"])
        let forger = try HTTPConnection(port: server.port)
        try forger.write(Self.v1(from: "10.1.1.1") + "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try forger.readResponse().status == 400)
        #expect(forger.isClosedByServer())
        let binary = try HTTPConnection(port: server.port)
        try binary.write(Self.v2(from: [10, 1, 1, 1]))
        #expect(try binary.readResponse().status == 400)
        // Plain HTTP from the same peer is served, its first bytes split across writes.
        let plain = try HTTPConnection(port: server.port)
        try plain.write("GET / HT")
        usleep(20_000)
        try plain.write("TP/1.1\r\nHost: x\r\n\r\n")
        #expect(try plain.readResponse().status == 200)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        #expect(try refusals(server)["proxy_header_untrusted"] == 2)  // asked without a header: untrusted
    }

    @Test func notWithTLSYet() throws {
        let result = try runEventserver(["--proxy-protocol-from", "127.0.0.1", "--tls-cert", "/dev/null", "--tls-key", "/dev/null", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.errors.contains("--proxy-protocol-from does not work with --tls-cert yet"))
    }
}

/// The PROXY protocol with `--workers`: each worker reads its connections' headers.
@Suite struct ProxyProtocolWorkersTests {
    @Test func everyWorkerTakesTheAddressFromTheHeader() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--workers", "2", "--proxy-protocol-from", "127.0.0.1", "--access-log", log])
        try server.waitForLog(containing: "all 2 workers listening")
        for index in 1...6 {
            let connection = try HTTPConnection(port: server.port)
            try connection.write(ProxyProtocolTests.v1(from: "192.0.2.\(index)"))
            #expect(try connection.get("/w\(index)").status == 404)
        }
        let bare = try HTTPConnection(port: server.port)
        try bare.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try bare.readResponse().status == 400)
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        for index in 1...6 {
            #expect(text.contains("192.0.2.\(index) - - [") && text.contains("GET /w\(index) "), "\(index)")
        }
    }
}

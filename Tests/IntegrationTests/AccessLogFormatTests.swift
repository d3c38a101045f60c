import EventServerTesting
import Foundation
import Testing

/// `--access-log-format json` and `--request-id`: one JSON object a line for log shippers, valid
/// whatever bytes a client sends, and an id that follows a request from the balancer's log to ours.
@Suite struct AccessLogFormatTests {
    static func lines(_ path: String, atLeast count: Int) throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { return lines }
            usleep(20_000)
        }
        throw TestFailure("\(path) has fewer than \(count) lines")
    }

    static func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any], "not an object: \(line)")
    }

    @Test func jsonLinesCarryEveryFieldAndTheRequestID() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--access-log", log, "--access-log-format", "json", "--request-id"])
        let connection = try HTTPConnection(port: server.port)
        let reply = try connection.get("/?q=1", headers: ["User-Agent": "tester/1", "Referer": "http://example.test/"])
        #expect(reply.status == 200)
        let id = try #require(reply[header: "X-Request-ID"])
        // A client's own X-Request-ID is not trusted: it is no balancer.
        let second = try connection.get("/nope", headers: ["X-Request-ID": "forged-by-client"])
        let secondID = try #require(second[header: "X-Request-ID"])
        #expect(secondID != "forged-by-client")
        #expect(secondID != id)
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        #expect(try HTTPConnection(port: server.port).get("/").status == 503)

        let lines = try Self.lines(log, atLeast: 3)
        let first = try Self.object(lines[0])
        #expect(first["client"] as? String == "127.0.0.1")
        #expect(first["method"] as? String == "GET")
        #expect(first["target"] as? String == "/?q=1")
        #expect(first["protocol"] as? String == "HTTP/1.1")
        #expect(first["status"] as? Int == 200)
        #expect(first["bytes"] as? Int == 23)
        #expect((first["duration_us"] as? Int).map { $0 >= 0 } == true)
        #expect(first["referer"] as? String == "http://example.test/")
        #expect(first["user_agent"] as? String == "tester/1")
        #expect(first["request_id"] as? String == id)
        #expect(first["gate"] as? Bool == false)
        let time = try #require(first["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        #expect(try Self.object(lines[1])["referer"] is NSNull)
        let gated = try #require(try lines.map(Self.object).first { $0["status"] as? Int == 503 && $0["target"] as? String == "/" })
        #expect(gated["gate"] as? Bool == true)
    }

    @Test func everyLineIsValidJSONWhateverTheClientSends() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--access-log", log, "--access-log-format", "json"])
        let hostile: [[UInt8]] = [
            Array("GET /a%22b%5C HTTP/1.1\r\nHost: x\r\nUser-Agent: \"}{\\\"\r\n\r\n".utf8),
            Array("GET /x HTTP/1.1\r\nHost: x\r\nUser-Agent: ".utf8) + [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82] + Array("\r\nReferer: \u{2028}é\r\n\r\n".utf8),
            Array("GET /t\tab HTTP/1.1\r\nHost: x\r\n\r\n".utf8),  // refused before parsing: a line with null fields
            Array("PURGE / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
        ]
        for bytes in hostile {
            let connection = try HTTPConnection(port: server.port)
            try connection.write(bytes)
            _ = try? connection.readResponse()
        }
        let lines = try Self.lines(log, atLeast: 3)
        for line in lines {
            let object = try Self.object(line)
            #expect(object.count == 12, "\(line)")
            #expect(object["request_id"] is NSNull)  // no --request-id
        }
        #expect(try lines.map(Self.object).contains { ($0["user_agent"] as? String) == "\"}{\\\"" })
    }

    @Test func aTrustedBalancersRequestIDIsKeptWhenSane() throws {
        let server = try ServerProcess(["--proxy-protocol-from", "127.0.0.1", "--request-id"])
        let balancer = try HTTPConnection(port: server.port)
        try balancer.write(ProxyProtocolTests.v1(from: "192.0.2.1"))
        #expect(try balancer.get("/", headers: ["X-Request-ID": "lb-4f2a-9c1e"])[header: "X-Request-ID"] == "lb-4f2a-9c1e")
        let insane = try balancer.get("/", headers: ["X-Request-ID": String(repeating: "a", count: 200)])[header: "X-Request-ID"]
        #expect(insane != nil && insane!.count < 100)
        let spaced = try balancer.get("/", headers: ["X-Request-ID": "a b"])[header: "X-Request-ID"]
        #expect(spaced != "a b")
    }

    @Test func combinedLinesEndWithTheRequestIDAndNoIDWithoutTheFlag() throws {
        let log = temporaryPath("access")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let server = try ServerProcess(["--access-log", log, "--request-id"])
        let id = try #require(try HTTPConnection(port: server.port).get("/")[header: "X-Request-ID"])
        let line = try Self.lines(log, atLeast: 1)[0]
        #expect(line.hasSuffix("\"\(id)\""), "\(line)")
        let plain = try ServerProcess([])
        #expect(try HTTPConnection(port: plain.port).get("/")[header: "X-Request-ID"] == nil)
    }
}

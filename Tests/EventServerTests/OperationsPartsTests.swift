import Foundation
import Testing
@testable import EventServer

@Suite struct OperationsPartsTests {
    @Test func addressRangesMatchV4V6AndMapped() throws {
        let lan = try AddressRange("10.0.0.0/8")
        #expect(lan.contains("10.200.3.4"))
        #expect(lan.contains("::ffff:10.1.2.3"))
        #expect(!lan.contains("11.0.0.1"))
        #expect(!lan.contains("not-an-address"))
        let single = try AddressRange("192.168.1.7")
        #expect(single.contains("192.168.1.7"))
        #expect(!single.contains("192.168.1.8"))
        let v6 = try AddressRange("2001:db8::/32")
        #expect(v6.contains("2001:db8:1::5"))
        #expect(!v6.contains("2001:db9::1"))
        #expect(try AddressRange("0.0.0.0/0").contains("8.8.8.8"))
        #expect(throws: ConfigurationError.self) { try AddressRange("10.0.0.0/33") }
        #expect(throws: ConfigurationError.self) { try AddressRange("example.com") }
    }

    @Test func stateFileRoundTripsAndFailsClosed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID())").path
        let file = StateFile(path: path)
        #expect(file.read() == .missing)
        try file.write(maintenance: true, since: 1_795_627_661)
        #expect(file.read() == .recorded(maintenance: true, since: 1_795_627_661))
        try file.write(maintenance: false, since: 5)
        #expect(file.read() == .recorded(maintenance: false, since: 5))
        try "{}".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .unusable = file.read() else {
            Issue.record("a file without a state must be unusable")
            return
        }
    }

    @Test func accessLogTimestampIsCommonLogFormat() {
        #expect(AccessLog.timestamp(1_795_627_661) == "25/Nov/2026:17:27:41 +0000")
    }

    @Test func redirectNeverLoopsOnItsOwnPath() throws {
        let responder = MaintenanceResponder(
            page: MaintenancePage(retryAfterSeconds: 9), redirectLocation: "/maintenance.html?from=gate")
        let elsewhere = responder.reply(to: Request(method: .get, path: "/cart"))
        #expect(elsewhere.status == .temporaryRedirect)
        #expect(elsewhere.headers["Location"] == "/maintenance.html?from=gate")
        #expect(elsewhere.headers["Retry-After"] == "9")
        #expect(responder.reply(to: Request(method: .get, path: "/maintenance.html")).status == .serviceUnavailable)
        #expect(responder.reply(to: Request(method: .put, path: "/cart")).status == .serviceUnavailable)
    }

    @Test func allowListUsesOnlyThePeerAddress() throws {
        let responder = MaintenanceResponder(page: MaintenancePage(retryAfterSeconds: 1), allowedPeers: [try AddressRange("127.0.0.1")])
        #expect(responder.admits(Request(method: .get, path: "/", peerAddress: "127.0.0.1")))
        let forged = Request(method: .get, path: "/", headers: ["X-Forwarded-For": "127.0.0.1"], peerAddress: "203.0.113.9")
        #expect(!responder.admits(forged))
    }
}

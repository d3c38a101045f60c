import Foundation
import Testing

@Suite struct LifecycleTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func stopSignalExitsZero(signal: Int32) throws {
        let server = try ServerProcess()
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        server.send(signal)
        #expect(try server.waitForExit() == 0)
        #expect(server.log.contains("stopping"))
    }

    @Test func idleKeepAliveConnectionDoesNotDelayTheStop() throws {
        let server = try ServerProcess(["--shutdown-timeout", "30"])
        let idle = try HTTPConnection(port: server.port)
        #expect(try idle.get("/").status == 200)
        let started = Date()
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func hangupIsLoggedAndNeverStopsTheServer() throws {
        let server = try ServerProcess()
        server.send(SIGHUP)
        try server.waitForLog(containing: "reloaded")
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func portInUseIsOneClearErrorAndExitOne() throws {
        let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(blocker) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(blocker, $0, length) == 0, listen(blocker, 1) == 0,
                    getsockname(blocker, $0, &length) == 0
                else { throw TestFailure("cannot occupy a port") }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let server = try ServerProcess(["--port", String(port)], waitForListening: false)
        #expect(try server.waitForExit() == 1)
        let errorLines = server.log.split(separator: "\n").filter { $0.contains("error") }
        #expect(errorLines == ["eventserver: error: cannot listen on 127.0.0.1:\(port): Address already in use"])
    }

    @Test func unreadableMaintenancePageIsAStartUpError() throws {
        let server = try ServerProcess(["--maintenance-page", "/nonexistent/page.html"], waitForListening: false)
        #expect(try server.waitForExit() == 1)
        #expect(server.log.contains("cannot read /nonexistent/page.html"))
    }

    @Test func servesOnIPv6Loopback() throws {
        let server = try ServerProcess(host: "::1")
        #expect(server.log.contains("listening on http://[::1]:"))
        #expect(try HTTPConnection(host: "::1", port: server.port).get("/").status == 200)
    }

    @Test func statusReportsPidAndRequestCount() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        _ = try connection.get("/")
        let status = try connection.get("/status")
        let object = try #require(JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
        #expect(object["pid"] as? Int == Int(server.pid))
        #expect(object["state"] as? String == "serving")
        #expect(object["requests"] as? Int == 2)
    }
}

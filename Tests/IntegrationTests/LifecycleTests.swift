import EventServerTesting
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
        server.send(SIGTERM)
        // Well inside the 30 s shutdown timeout, and by the event, not the clock: nothing was in
        // flight, and the timeout never fired.
        #expect(try server.waitForExit(seconds: 20) == 0)
        #expect(server.log.contains("replies_in_flight=0"))
        #expect(!server.log.contains("shutdown timeout"))
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

@Suite final class GracefulStopTests {
    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    private let root = temporaryPath("root")

    /// A 32 MiB file whose reader stalls: the reply stays in flight until it is read.
    private func serverWithStalledDownload(_ arguments: [String]) throws -> (ServerProcess, HTTPConnection) {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data(count: 32 * 1024 * 1024).write(to: URL(fileURLWithPath: root + "/big.bin"))
        let server = try ServerProcess(["--root", root] + arguments)
        let reader = try HTTPConnection(port: server.port, timeoutSeconds: 10)
        try reader.write("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        // The download is in flight (the metrics request counts itself too).
        try AsyncRoutesTests.waitForRepliesInFlight(2, server)
        return (server, reader)
    }

    @Test func stopWaitsForTheReplyInFlight() throws {
        let (server, reader) = try serverWithStalledDownload(["--shutdown-timeout", "20"])
        server.send(SIGTERM)
        try server.waitForLog(containing: "replies_in_flight=1")
        #expect(server.process.isRunning, "the server must wait for the download")
        let response = try reader.readResponse()  // reading lets the reply finish
        #expect(response.body.count == 32 * 1024 * 1024)
        #expect(try server.waitForExit() == 0)
    }

    @Test func secondStopSignalStopsAtOnce() throws {
        let (server, reader) = try serverWithStalledDownload(["--shutdown-timeout", "20"])
        defer { withExtendedLifetime(reader) {} }  // the stalled reader must stay connected
        server.send(SIGTERM)
        try server.waitForLog(containing: "replies_in_flight=1")
        server.send(SIGTERM)
        // The download is still stalled and the shutdown timeout is 20 s: only the second signal
        // can end it this early, and the log says which.
        #expect(try server.waitForExit(seconds: 15) == 0)
        #expect(server.log.contains("second stop signal"))
        #expect(!server.log.contains("shutdown timeout"))
    }

    @Test func shutdownTimeoutBoundsTheWait() throws {
        let (server, reader) = try serverWithStalledDownload(["--shutdown-timeout", "1"])
        defer { withExtendedLifetime(reader) {} }
        server.send(SIGTERM)
        try server.waitForLog(containing: "shutdown timeout: closing 1 unfinished replies", seconds: 15)
        #expect(try server.waitForExit(seconds: 15) == 0)
    }
}

import EventServerTesting
import Foundation
import Testing

/// Pid file, `ctl`, state file, reload, access log, systemd notify, metrics, redirect, allow-list.
@Suite struct OperationsTests {
    @Test func ctlRoundTripThroughThePidFile() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(server.pid)\n")

        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile])
        #expect(on.status == 0)
        #expect(on.output.hasPrefix("maintenance since "))
        #expect(on.output.contains("(pid \(server.pid), http://127.0.0.1:\(server.port))"))
        #expect(try HTTPConnection(port: server.port).get("/").status == 503)

        let status = try runEventserver(["ctl", "status", "--pid-file", pidFile])
        #expect(status.status == 0)
        #expect(status.output.hasPrefix("maintenance since "))

        let off = try runEventserver(["ctl", "maintenance", "off", "--pid-file", pidFile])
        #expect(off.output.hasPrefix("serving since "))
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)

        let stop = try runEventserver(["ctl", "stop", "--pid-file", pidFile])
        #expect(stop.status == 0)
        #expect(try server.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }

    @Test func ctlTakesItsOptionsBeforeOrAfterTheSubcommand() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        let before = try runEventserver(["ctl", "--pid-file", pidFile, "--wait", "5", "maintenance", "on"])
        #expect(before.status == 0)
        #expect(before.output.hasPrefix("maintenance since "))
        #expect(try HTTPConnection(port: server.port).get("/").status == 503)
        // After the subcommand wins over before it.
        let both = try runEventserver(["ctl", "--pid-file", "/nonexistent/pid", "maintenance", "off", "--pid-file", pidFile])
        #expect(both.status == 0)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
    }

    @Test func ctlWithoutAServerFailsClearly() throws {
        let missing = try runEventserver(["ctl", "status", "--pid-file", temporaryPath("none")])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("no server running"))
        let stale = temporaryPath("stale")
        try "\(try exitedPID())\n".write(toFile: stale, atomically: true, encoding: .utf8)
        let result = try runEventserver(["ctl", "maintenance", "on", "--pid-file", stale])
        #expect(result.status == 1)
        #expect(result.errors.contains("stale pid file"))
    }

    @Test func livePidFileRefusesASecondServerAndStaleOneIsReplaced() throws {
        let pidFile = temporaryPath("pid")
        let first = try ServerProcess(["--pid-file", pidFile])
        let second = try ServerProcess(["--pid-file", pidFile], waitForListening: false)
        #expect(try second.waitForExit() == 1)
        #expect(second.log.contains("already running: \(pidFile) names live pid \(first.pid)"))

        let stale = temporaryPath("pid")
        try "\(try exitedPID())\n".write(toFile: stale, atomically: true, encoding: .utf8)
        let third = try ServerProcess(["--pid-file", stale])
        #expect(try String(contentsOfFile: stale, encoding: .utf8) == "\(third.pid)\n")
    }

    @Test func restartDuringMaintenanceStaysInMaintenance() throws {
        let stateFile = temporaryPath("state")
        let first = try ServerProcess(["--state-file", stateFile])
        first.send(SIGUSR1)
        try first.waitForState("maintenance")
        first.send(SIGTERM)
        #expect(try first.waitForExit() == 0)
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8).contains(#""state":"maintenance""#))

        let second = try ServerProcess(["--state-file", stateFile])
        #expect(try HTTPConnection(port: second.port).get("/").status == 503)
        second.send(SIGUSR2)
        try second.waitForState("serving")
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8).contains(#""state":"serving""#))
    }

    @Test func corruptStateFileFailsClosed() throws {
        let stateFile = temporaryPath("state")
        try "garbage".write(toFile: stateFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--state-file", stateFile])
        #expect(try HTTPConnection(port: server.port).get("/").status == 503)
        #expect(server.log.contains("fail closed"))
    }

    @Test func hangupReloadsAGoodPageAndKeepsTheOldOneWhenBroken() throws {
        let page = temporaryPath("page")
        try "v1".write(toFile: page, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--maintenance", "--maintenance-page", page])
        #expect(try HTTPConnection(port: server.port).get("/").text == "v1")
        try "v2".write(toFile: page, atomically: true, encoding: .utf8)
        server.send(SIGHUP)
        try waitForReloads(server, 1)
        #expect(try HTTPConnection(port: server.port).get("/").text == "v2")
        try FileManager.default.removeItem(atPath: page)
        server.send(SIGHUP)
        try waitForReloads(server, 2)
        #expect(try HTTPConnection(port: server.port).get("/").text == "v2")
        #expect(server.log.contains("maintenance page kept"))
        #expect(try HTTPConnection(port: server.port).get("/livez").status == 200)
    }

    @Test func accessLogIsReopenedAfterARename() throws {
        let log = temporaryPath("access")
        let server = try ServerProcess(["--access-log", log])
        _ = try HTTPConnection(port: server.port).get("/first", headers: ["User-Agent": "tester/1"])
        try waitForFile(log, containing: "\"GET /first HTTP/1.1\" 404 10 \"-\" \"tester/1\"")
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        server.send(SIGHUP)
        try waitForReloads(server, 1)
        _ = try HTTPConnection(port: server.port).get("/second")
        try waitForFile(log, containing: "GET /second")
        #expect(!(try String(contentsOfFile: log + ".1", encoding: .utf8)).contains("/second"))
        #expect(try String(contentsOfFile: log, encoding: .utf8).hasPrefix("127.0.0.1 - - ["))
    }

    @Test func systemdNotifySocketReceivesReadyStatusStopping() throws {
        let path = temporaryPath("notify")
        let socket = try NotifySocket(path: path)
        let server = try ServerProcess([], environment: ["NOTIFY_SOCKET": path])
        let ready = try socket.receive()
        #expect(ready.contains("READY=1"))
        #expect(ready.contains("STATUS=Serving"))
        server.send(SIGUSR1)
        #expect(try socket.receive().hasPrefix("STATUS=Maintenance since "))
        server.send(SIGTERM)
        #expect(try socket.receive() == "STOPPING=1")
        #expect(try server.waitForExit() == 0)
    }

    @Test func metricsParseWithPrometheusClient() throws {
        let server = try ServerProcess()
        _ = try HTTPConnection(port: server.port).get("/")
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        _ = try HTTPConnection(port: server.port).get("/")
        _ = try HTTPConnection(port: server.port).get("/missing")
        let metrics = try HTTPConnection(port: server.port).get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics[header: "Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        let parsed = try parseWithPrometheusClient(metrics.text)
        #expect(parsed["eventserver_maintenance"] == 1)
        #expect(parsed["eventserver_maintenance_transitions_total"] == 1)
        #expect(parsed["eventserver_maintenance_replies_total"] == 2)
        #expect(parsed["eventserver_http_responses_total{code=\"200\"}"] ?? 0 >= 1)
        #expect(parsed["eventserver_http_responses_total{code=\"503\"}"] == 2)
        #expect(parsed["eventserver_open_connections"] ?? 0 >= 1)
        #expect(parsed["eventserver_uptime_seconds"] ?? 0 > 0)
    }

    @Test func maintenanceRedirectsGetButNotOtherMethodsNorItsTarget() throws {
        let server = try ServerProcess(["--maintenance", "--maintenance-redirect", "https://status.example.com/down.html"])
        let get = try HTTPConnection(port: server.port).get("/shop?item=1")
        #expect(get.status == 307)
        #expect(get[header: "Location"] == "https://status.example.com/down.html")
        #expect(try HTTPConnection(port: server.port).get("/", method: "HEAD").status == 307)
        #expect(try HTTPConnection(port: server.port).get("/", method: "POST").status == 503)
        #expect(try HTTPConnection(port: server.port).get("/down.html").status == 503)
    }

    @Test func allowedPeersAreServedDuringMaintenance() throws {
        let allowed = try ServerProcess(["--maintenance", "--maintenance-allow", "127.0.0.0/8"])
        #expect(try HTTPConnection(port: allowed.port).get("/").status == 200)
        let other = try ServerProcess(["--maintenance", "--maintenance-allow", "10.0.0.0/8"])
        #expect(try HTTPConnection(port: other.port).get("/").status == 503)
        let ipv6 = try ServerProcess(["--maintenance", "--maintenance-allow", "127.0.0.0/8"], host: "::1")
        #expect(try HTTPConnection(host: "::1", port: ipv6.port).get("/").status == 503)
        let bad = try ServerProcess(["--maintenance-allow", "10.0.0.0/99"], waitForListening: false)
        #expect(try bad.waitForExit() == 1)
    }

    // MARK: Helpers

    private func exitedPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    private func waitForReloads(_ server: ServerProcess, _ count: Int) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if (try? HTTPConnection(port: server.port).get("/status"))?.text.contains("\"reloads\":\(count)") == true { return }
            usleep(10_000)
        }
        throw TestFailure("no reload \(count) within 5 s")
    }

    private func waitForFile(_ path: String, containing text: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if (try? String(contentsOfFile: path, encoding: .utf8))?.contains(text) == true { return }
            usleep(20_000)
        }
        throw TestFailure("\(path) did not get \"\(text)\" within 5 s")
    }
}

/// NotifySocket is a fake systemd: a Unix datagram socket that collects sd_notify messages.
final class NotifySocket {
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestFailure("cannot bind \(path)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw TestFailure("no notify datagram within 5 s") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

import EventServerTesting
import Foundation
import Testing

/// `--shutdown-delay`: after SIGTERM the instance fails readiness at once but keeps accepting and
/// serving while balancers and kube-proxy remove it, then stops gracefully.
@Suite struct ShutdownDelayTests {
    /// Opens a new connection every 50 ms for `seconds`, each with one GET; returns the failures.
    static func newConnectionsEvery50ms(port: Int, for seconds: Double, path: String = "/") -> [String] {
        var failures: [String] = []
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            do {
                let status = try HTTPConnection(port: port).get(path).status
                if status != 200 { failures.append("status \(status)") }
            } catch {
                failures.append("\(error)")
            }
            usleep(50_000)
        }
        return failures
    }

    @Test func readinessFailsAtOnceAndNewConnectionsAreServedThroughTheDelay() throws {
        let socketPath = temporaryPath("notify")
        let notify = try NotifySocket(path: socketPath)
        let server = try ServerProcess(["--shutdown-delay", "3"], environment: ["NOTIFY_SOCKET": socketPath])
        #expect(try notify.receive().contains("READY=1"))
        #expect(try HTTPConnection(port: server.port).get("/readyz").status == 200)
        server.send(SIGTERM)
        try server.waitForLog(containing: "stopping in 3 s")
        #expect(try notify.receive() == "STOPPING=1")  // at the first signal, not after the delay
        let readiness = try HTTPConnection(port: server.port).get("/readyz")
        #expect(readiness.status == 503)
        #expect(readiness.text == "stopping\n")
        #expect(try HTTPConnection(port: server.port).get("/livez").status == 200)
        // Well inside the delay: every new connection is accepted and served.
        #expect(Self.newConnectionsEvery50ms(port: server.port, for: 1.5) == [])
        #expect(try server.waitForExit(seconds: 20) == 0)
        #expect(server.log.split(separator: "\n").contains { $0.hasSuffix("] stopping") })  // then the graceful stop
    }

    @Test func aSecondSignalCutsTheDelayShort() throws {
        let server = try ServerProcess(["--shutdown-delay", "60"])
        server.send(SIGTERM)
        try server.waitForLog(containing: "stopping in 60 s")
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        server.send(SIGINT)
        // Far sooner than the 60 s delay: the graceful stop began at the second signal.
        #expect(try server.waitForExit(seconds: 20) == 0)
        #expect(server.log.contains("the shutdown delay is cut short"))
    }

    @Test func inMaintenanceTheGateStillAnswersDuringTheDelay() throws {
        let server = try ServerProcess(["--shutdown-delay", "3", "--maintenance"])
        server.send(SIGTERM)
        try server.waitForLog(containing: "stopping in 3 s")
        #expect(try HTTPConnection(port: server.port).get("/readyz").status == 503)
        #expect(try HTTPConnection(port: server.port).get("/").status == 503)
        #expect(try HTTPConnection(port: server.port).get("/livez").status == 200)
        #expect(try server.waitForExit(seconds: 20) == 0)
    }

    @Test func workersDelayTogether() throws {
        let server = try ServerProcess(["--workers", "2", "--shutdown-delay", "3"])
        try server.waitForLog(containing: "all 2 workers listening")
        server.send(SIGTERM)
        try server.waitForLog(containing: "stopping in 3 s", count: 2)
        // Every new connection reaches a worker that fails readiness and serves the route.
        for _ in 0..<6 {
            #expect(try HTTPConnection(port: server.port).get("/readyz").status == 503)
        }
        #expect(Self.newConnectionsEvery50ms(port: server.port, for: 1.5) == [])
        #expect(try server.waitForExit(seconds: 30) == 0)
    }

    @Test func aNegativeDelayIsRefusedAtStart() throws {
        let result = try runEventserver(["--shutdown-delay=-1", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.errors.contains("must not be negative"))
    }
}

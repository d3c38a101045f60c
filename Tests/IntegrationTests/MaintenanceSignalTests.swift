import EventServerTesting
import Foundation
import Testing

/// The real binary, real HTTP, real signals sent by PID.
@Suite struct MaintenanceSignalTests {
    @Test func usr1PutsEveryRouteInMaintenanceAndUsr2RestoresService() throws {
        let server = try ServerProcess()
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)

        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        for path in ["/", "/no/such/page"] {
            let response = try HTTPConnection(port: server.port).get(path)
            #expect(response.status == 503)
            #expect(response[header: "Retry-After"] == "300")
            #expect(response[header: "Cache-Control"] == "no-store")
            #expect(response[header: "Content-Type"] == "text/html; charset=utf-8")
            #expect(response.text.contains("down for maintenance"))
        }
        let json = try HTTPConnection(port: server.port).get("/", headers: ["Accept": "application/json"])
        #expect(json.status == 503)
        #expect(json.text.hasPrefix(#"{"status":"maintenance""#))

        server.send(SIGUSR2)
        try server.waitForState("serving")
        let restored = try HTTPConnection(port: server.port).get("/")
        #expect(restored.status == 200)
        #expect(restored.text == "Hello from eventserver\n")
    }

    @Test func repeatedSignalsAreIdempotentAndLoggedOnce() throws {
        let server = try ServerProcess()
        for _ in 0..<3 {
            server.send(SIGUSR1)
            usleep(20_000)
        }
        try server.waitForState("maintenance")
        for _ in 0..<2 {
            server.send(SIGUSR2)
            usleep(20_000)
        }
        try server.waitForState("serving")
        try server.waitForLog(containing: "left maintenance")
        #expect(server.log.components(separatedBy: "entered maintenance").count - 1 == 1)
        #expect(server.log.components(separatedBy: "left maintenance").count - 1 == 1)
        #expect(server.log.contains("signal=SIGUSR1"))
    }

    @Test func probesReportTheStateDuringMaintenance() throws {
        let server = try ServerProcess()
        #expect(try HTTPConnection(port: server.port).get("/readyz").status == 200)
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        #expect(try HTTPConnection(port: server.port).get("/livez").status == 200)
        #expect(try HTTPConnection(port: server.port).get("/readyz").status == 503)
    }

    @Test func keepAliveConnectionSurvivesEnteringMaintenance() throws {
        let server = try ServerProcess()
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.get("/").status == 200)
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let first = try connection.get("/")
        let second = try connection.get("/other")
        #expect(first.status == 503)
        #expect(second.status == 503)
        #expect(first[header: "Connection"] == nil)
        server.send(SIGUSR2)
        try server.waitForState("serving")
        #expect(try connection.get("/").status == 200)
    }

    @Test func startsInMaintenanceWhenAsked() throws {
        let server = try ServerProcess(["--maintenance", "--retry-after", "60"])
        let response = try HTTPConnection(port: server.port).get("/")
        #expect(response.status == 503)
        #expect(response[header: "Retry-After"] == "60")
    }

    @Test func servesTheOperatorsMaintenancePage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID()).html").path
        try "<h1>Database upgrade until 14:00</h1>\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ServerProcess(["--maintenance", "--maintenance-page", path])
        let response = try HTTPConnection(port: server.port).get("/")
        #expect(response.status == 503)
        #expect(response.text == "<h1>Database upgrade until 14:00</h1>\n")
    }

    @Test func headInMaintenanceHasLengthButNoBody() throws {
        let server = try ServerProcess(["--maintenance"])
        let connection = try HTTPConnection(port: server.port)
        let head = try connection.get("/", method: "HEAD")
        #expect(head.status == 503)
        #expect(Int(head[header: "Content-Length"] ?? "") ?? 0 > 0)
        // The next response on the same connection parses cleanly only if HEAD sent no body.
        #expect(try connection.get("/livez").status == 200)
    }
}

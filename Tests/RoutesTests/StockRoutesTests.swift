import Foundation
import Testing
import EventServer
@testable import Routes

@Suite struct StockRoutesTests {
    private let state = MaintenanceState()
    private let statistics = ServerStatistics()
    private let routes = RouteTable()
    private let root: any Handler

    init() throws {
        try routes.register(GreetingRoutes())
        try routes.register(HealthRoutes(maintenance: state))
        try routes.register(StatusRoutes(maintenance: state, statistics: statistics))
        root = GatedRoutes(routes: routes, gate: MaintenanceGate(state: state, page: MaintenancePage(retryAfterSeconds: 5)))
    }

    private func get(_ path: String) throws -> Response {
        try root.respond(to: Request(method: .get, path: path))
    }

    @Test func greetingIsGatedHealthIsNot() throws {
        #expect(try get("/").status == .ok)
        state.enter()
        #expect(try get("/").status == .serviceUnavailable)
        #expect(try get("/livez").status == .ok)
        #expect(try get("/readyz").status == .serviceUnavailable)
        #expect(try get("/status").status == .ok)
        state.leave()
        #expect(try get("/readyz").status == .ok)
    }

    @Test func statusReportsStateAsJSON() throws {
        state.enter()
        let response = try get("/status")
        #expect(response.headers["Content-Type"] == "application/json")
        let object = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["state"] as? String == "maintenance")
        #expect(object["pid"] as? Int == Int(ProcessInfo.processInfo.processIdentifier))
        #expect(object["version"] as? String == EventServerVersion.current)
        #expect((object["since"] as? String)?.hasSuffix("Z") == true)
        #expect(object["requests"] as? Int == 0)
    }

    @Test func exemptRoutesAreTheProbesAndStatus() {
        let exempt = routes.routes.filter(\.isExempt).map(\.pattern)
        #expect(exempt == ["/livez", "/readyz", "/status", "/status/events"])
    }
}

import Testing
@testable import EventServer

@Suite struct MaintenanceGateTests {
    private let state = MaintenanceState()
    private let page = MaintenancePage(retryAfterSeconds: 120)
    private let routes = RouteTable()
    private let root: any Handler

    init() throws {
        try routes.get("/") { _ in .text("home") }
        try routes.get("/livez", exempt: true) { _ in .text("alive") }
        root = GatedRoutes(routes: routes, gate: MaintenanceGate(state: state, page: page))
    }

    private func get(_ path: String, accept: String? = nil) throws -> Response {
        var headers = HTTPHeaders()
        if let accept { headers.add(name: "Accept", value: accept) }
        return try root.respond(to: Request(method: .get, path: path, headers: headers))
    }

    @Test func servesNormallyOutOfMaintenance() throws {
        #expect(try get("/").status == .ok)
        #expect(try get("/unknown").status == .notFound)
    }

    @Test func everyRouteAndUnknownPathAnswers503InMaintenance() throws {
        state.enter()
        for path in ["/", "/unknown", "/a/b/c"] {
            let response = try get(path)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers["Retry-After"] == "120")
            #expect(response.headers["Cache-Control"] == "no-store")
            #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
            #expect(String(decoding: response.body, as: UTF8.self).contains("down for maintenance"))
        }
        let post = try root.respond(to: Request(method: .post, path: "/"))
        #expect(post.status == .serviceUnavailable)
    }

    @Test func exemptRoutesKeepWorking() throws {
        state.enter()
        #expect(try get("/livez").status == .ok)
    }

    @Test func leavingRestoresService() throws {
        state.enter()
        state.leave()
        #expect(try get("/").status == .ok)
    }

    @Test func jsonClientsGetJSON() throws {
        state.enter()
        let response = try get("/", accept: "application/json")
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix(#"{"status":"maintenance""#))
        let browser = try get("/", accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        #expect(browser.headers["Content-Type"] == "text/html; charset=utf-8")
        // The responder remembers the last Accept value's answer: switching back must not reuse it.
        #expect(try get("/", accept: "application/json").headers["Content-Type"] == "application/json")
        #expect(try get("/", accept: "application/json").headers["Content-Type"] == "application/json")
        #expect(try get("/").headers["Content-Type"] == "text/html; charset=utf-8")
    }

    @Test func enterAndLeaveAreIdempotent() {
        #expect(state.enter())
        #expect(!state.enter())
        #expect(state.leave())
        #expect(!state.leave())
    }

    @Test func stateRecordsWhenItChanged() {
        let before = state.changedAt
        state.enter()
        #expect(state.changedAt >= before)
        #expect(state.isActive)
    }
}

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

    // In maintenance the literal lookup alone gates a path whose routes are all gated; these
    // pin down that exemption still follows the full lookup everywhere else.

    @Test func exemptionIsPerMethodOnALiteralPath() throws {
        try routes.post("/livez") { _ in .text("posted") }
        state.enter()
        #expect(try get("/livez").status == .ok)
        #expect(try root.respond(to: Request(method: .head, path: "/livez")).status == .ok)
        #expect(try root.respond(to: Request(method: .post, path: "/livez")).status == .serviceUnavailable)
        #expect(try root.respond(to: Request(method: .delete, path: "/livez")).status == .serviceUnavailable)
    }

    @Test func anExemptRouteReachedByAnotherSpellingOfItsPathStaysExempt() throws {
        #expect(try get("/live%7A").status == .ok)
        state.enter()
        #expect(try get("/live%7A").status == .ok)
        #expect(try get("/").status == .serviceUnavailable)
    }

    @Test func exemptPatternRoutesKeepWorking() throws {
        try routes.get("/jobs/:id", exempt: true) { request in .text(request.parameters["id"] ?? "") }
        try routes.get("/jobs/:id/log") { _ in .text("log") }
        state.enter()
        let job = try get("/jobs/7")
        #expect(job.status == .ok)
        #expect(String(decoding: job.body, as: UTF8.self) == "7")
        #expect(try get("/jobs/7/log").status == .serviceUnavailable)
    }

    @Test func anAllowedPeerIsServedNormallyOnEveryKindOfPath() throws {
        let gate = MaintenanceGate(
            state: state,
            responder: MaintenanceResponder(page: page, allowedPeers: [try AddressRange("10.0.0.0/8")]))
        let root = GatedRoutes(routes: routes, gate: gate)
        state.enter()
        let inside = { (path: String) in try root.respond(to: Request(method: .get, path: path, peerAddress: "10.1.2.3")).status }
        let outside = { (path: String) in try root.respond(to: Request(method: .get, path: path, peerAddress: "192.0.2.1")).status }
        #expect(try inside("/") == .ok)
        #expect(try inside("/livez") == .ok)
        #expect(try inside("/unknown") == .notFound)
        #expect(try outside("/") == .serviceUnavailable)
        #expect(try outside("/livez") == .ok)
        #expect(try outside("/unknown") == .serviceUnavailable)
        #expect(state.repliesSent == 2)
    }

    @Test func onlyALiteralPathWithoutExemptMethodsIsKnownUnreachable() throws {
        try routes.get("/jobs/:id", exempt: true) { _ in .text("job") }
        #expect(!routes.mayReachExemptRoute("/"))
        #expect(routes.mayReachExemptRoute("/livez"))
        #expect(routes.mayReachExemptRoute("/live%7A"))
        #expect(routes.mayReachExemptRoute("/jobs/1"))
        #expect(routes.mayReachExemptRoute("/unknown"))
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

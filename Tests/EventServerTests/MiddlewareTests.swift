import Testing
@testable import EventServer

/// Appends its name to a trace header on the way out, so the order is visible.
private struct Tagging: Middleware {
    let name: String

    func wrap(_ next: any Handler) -> any Handler {
        HandlerClosure { request in
            var response = try next.respond(to: request)
            response.headers.add(name: "Trace", value: name)
            return response
        }
    }
}

@Suite struct MiddlewareTests {
    @Test func firstMiddlewareIsOutermost() throws {
        let handler: [any Middleware] = [Tagging(name: "outer"), Tagging(name: "inner")]
        let root = handler.wrapping(ConstantHandler(.text("ok")))
        let response = try root.respond(to: Request(method: .get, path: "/"))
        #expect(response.headers.values(named: "trace") == ["inner", "outer"])
    }

    @Test func middlewareOutsideTheGateSeesMaintenanceReplies() throws {
        let state = MaintenanceState(active: true)
        let routes = RouteTable()
        try routes.get("/") { _ in .text("home") }
        let gate = MaintenanceGate(state: state, page: MaintenancePage(retryAfterSeconds: 1), routes: routes)
        let middleware: [any Middleware] = [Tagging(name: "log")]
        let root = middleware.wrapping(gate.wrap(routes))
        let response = try root.respond(to: Request(method: .get, path: "/"))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Trace"] == "log")
    }
}

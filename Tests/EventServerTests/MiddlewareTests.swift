import Testing
@testable import EventServer

@Suite struct MiddlewareTests {
    @Test func firstMiddlewareIsOutermost() throws {
        let handler: [any Middleware] = [StampMiddleware(name: "outer"), StampMiddleware(name: "inner")]
        let root = handler.wrapping(ConstantHandler(.text("ok")))
        let response = try root.respond(to: Request(method: .get, path: "/"))
        #expect(response.headers.values(named: "stamp") == ["inner", "outer"])
    }

    @Test func middlewareOutsideTheGateSeesMaintenanceReplies() throws {
        let state = MaintenanceState(active: true)
        let routes = RouteTable()
        try routes.get("/") { _ in .text("home") }
        let gate = MaintenanceGate(state: state, page: MaintenancePage(retryAfterSeconds: 1))
        let middleware: [any Middleware] = [StampMiddleware(name: "log")]
        let root = middleware.wrapping(GatedRoutes(routes: routes, gate: gate))
        let response = try root.respond(to: Request(method: .get, path: "/"))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Stamp"] == "log")
    }
}

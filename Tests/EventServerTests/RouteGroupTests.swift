import Testing
@testable import EventServer

@Suite struct RouteGroupTests {
    @Test func groupsPrefixAndNest() throws {
        let routes = RouteTable()
        let api = try routes.grouped("/api")
        try api.get("/users") { _ in .text("users") }
        try api.grouped("/v2").get("/users/:id") { request in .text("v2 \(request.parameters["id"] ?? "")") }
        try api.get("/") { _ in .text("api root") }
        let patterns = routes.routes.map(\.pattern)
        #expect(patterns == ["/api", "/api/users", "/api/v2/users/:id"])
        let response = try routes.respond(to: Request(method: .get, path: "/api/v2/users/9"))
        #expect(String(decoding: response.body, as: UTF8.self) == "v2 9")
    }

    @Test func groupMiddlewareWrapsOnlyItsRoutesInOrder() throws {
        let routes = RouteTable()
        let admin = routes.grouped(StampMiddleware(name: "auth"))
        try admin.grouped(StampMiddleware(name: "audit")).get("/admin") { _ in .text("admin") }
        try routes.get("/public") { _ in .text("public") }
        let admined = try routes.respond(to: Request(method: .get, path: "/admin"))
        #expect(admined.headers.values(named: "Stamp") == ["audit", "auth"])
        let open = try routes.respond(to: Request(method: .get, path: "/public"))
        #expect(open.headers.values(named: "Stamp").isEmpty)
    }

    @Test func maintenanceWinsOverGroupMiddleware() throws {
        let routes = RouteTable()
        try routes.grouped(StampMiddleware(name: "group")).get("/inside") { _ in .text("inside") }
        let state = MaintenanceState(active: true)
        let root = GatedRoutes(routes: routes, gate: MaintenanceGate(state: state, page: MaintenancePage(retryAfterSeconds: 1)))
        let response = try root.respond(to: Request(method: .get, path: "/inside"))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Stamp"] == nil)
    }

    @Test func modulesMountInsideGroups() throws {
        struct Billing: RouteModule {
            func register(in routes: any RoutesBuilder) throws {
                try routes.get("/invoices/:id") { request in .text(request.parameters["id"] ?? "") }
            }
        }
        let routes = RouteTable()
        try routes.grouped("/billing").register(Billing())
        let route = try #require(routes.routes.first)
        #expect(route.pattern == "/billing/invoices/:id")
        #expect(route.module == "Billing")
    }
}

import Testing
@testable import EventServer

@Suite struct RoutePatternTests {
    private func body(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    /// Echoes which route answered and what it bound.
    private func table(_ patterns: [String]) throws -> RouteTable {
        let routes = RouteTable()
        for pattern in patterns {
            try routes.get(pattern) { request in
                let bound = ["id", "name", "path", "file"].compactMap { key in request.parameters[key].map { "\(key)=\($0)" } }
                return .text(([pattern] + bound).joined(separator: " "))
            }
        }
        return routes
    }

    private func get(_ routes: RouteTable, _ path: String) throws -> String {
        body(try routes.respond(to: Request(method: .get, path: path)))
    }

    @Test func parsesSegments() throws {
        let pattern = try RoutePattern("/users/:id/files/*path")
        #expect(pattern.segments == [.literal("users"), .parameter("id"), .literal("files"), .catchAll("path")])
    }

    @Test(arguments: [
        ("users", "must start with /"),
        ("/a/*rest/b", "a catch-all must be the last segment"),
        ("/a/:", "bad parameter name \":\""),
        ("/a/:id/:id", "a parameter name is used twice"),
        ("/a/*", "bad catch-all name \"*\""),
    ])
    func rejectsMalformedPatterns(pattern: String, reason: String) {
        #expect(throws: RouteError.invalidPattern(pattern, reason: reason)) { try RoutePattern(pattern) }
    }

    @Test func parametersBindDecodedValues() throws {
        let routes = try table(["/users/:id"])
        #expect(try get(routes, "/users/42") == "/users/:id id=42")
        #expect(try get(routes, "/users/J%C3%BCrgen%20M") == "/users/:id id=Jürgen M")
        #expect(try get(routes, "/users/a%2Fb") == "/users/:id id=a/b")
        #expect(try routes.respond(to: Request(method: .get, path: "/users/")).status == .notFound)
        #expect(try routes.respond(to: Request(method: .get, path: "/users/42/more")).status == .notFound)
    }

    @Test func mostSpecificRouteWins() throws {
        let routes = try table(["/users/new", "/users/:id", "/users/*path", "/users/:id/edit"])
        #expect(try get(routes, "/users/new") == "/users/new")
        #expect(try get(routes, "/users/7") == "/users/:id id=7")
        #expect(try get(routes, "/users/7/edit") == "/users/:id/edit id=7")
        #expect(try get(routes, "/users/new/edit") == "/users/:id/edit id=new")  // backtracks from the literal
        #expect(try get(routes, "/users/7/photos/1.png") == "/users/*path path=7/photos/1.png")
    }

    @Test func catchAllTakesTheRestIncludingEmpty() throws {
        let routes = try table(["/files/*file"])
        #expect(try get(routes, "/files/a/b/c.txt") == "/files/*file file=a/b/c.txt")
        #expect(try get(routes, "/files/") == "/files/*file file=")
        #expect(try get(routes, "/files") == "/files/*file file=")
    }

    @Test func trailingSlashIsSignificant() throws {
        let routes = try table(["/a"])
        #expect(try routes.respond(to: Request(method: .get, path: "/a/")).status == .notFound)
    }

    @Test func malformedEscapeIsNotFound() throws {
        let routes = try table(["/users/:id"])
        #expect(try routes.respond(to: Request(method: .get, path: "/users/%zz")).status == .notFound)
        #expect(try routes.respond(to: Request(method: .get, path: "/users/%00")).status == .notFound)
    }

    @Test func conflictingVariableNamesFailAndNameBothRoutes() throws {
        let routes = try table(["/users/:id"])
        #expect(throws: RouteError.conflict(existing: "/users/:id", new: "/users/:name/posts")) {
            try routes.get("/users/:name/posts") { _ in .text("") }
        }
        let files = try table(["/files/*path"])
        #expect(throws: RouteError.conflict(existing: "/files/*path", new: "/files/*rest")) {
            try files.get("/files/*rest") { _ in .text("") }
        }
    }

    @Test func duplicateAcrossModulesNamesBothModules() throws {
        struct Billing: RouteModule {
            func register(in routes: any RoutesBuilder) throws { try routes.get("/pay") { _ in .text("") } }
        }
        struct Payments: RouteModule {
            func register(in routes: any RoutesBuilder) throws { try routes.get("/pay") { _ in .text("") } }
        }
        let routes = RouteTable()
        try routes.register(Billing())
        let error = #expect(throws: RouteError.self) { try routes.register(Payments()) }
        #expect(error?.description == "route GET /pay from Payments conflicts with the same route from Billing")
    }

    @Test func sameParameterNameDifferentMethodsShareAnEndpoint() throws {
        let routes = RouteTable()
        try routes.get("/items/:id") { _ in .text("get") }
        try routes.delete("/items/:id") { _ in .text("delete") }
        let options = try routes.respond(to: Request(method: .options, path: "/items/3"))
        #expect(options.headers["Allow"] == "GET, HEAD, DELETE, OPTIONS")
    }
}

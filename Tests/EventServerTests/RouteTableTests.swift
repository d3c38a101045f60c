import Testing
@testable import EventServer

@Suite struct RouteTableTests {
    private func table() throws -> RouteTable {
        let routes = RouteTable()
        try routes.get("/") { _ in .text("root") }
        try routes.get("/items") { _ in .text("list") }
        try routes.post("/items") { request in .text("created \(request.body.count)", status: .created) }
        return routes
    }

    private func body(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func exactPathAndMethodFindTheirHandler() throws {
        let routes = try table()
        #expect(body(try routes.respond(to: Request(method: .get, path: "/items"))) == "list")
        let created = try routes.respond(to: Request(method: .post, path: "/items", body: [1, 2, 3]))
        #expect(created.status == .created)
        #expect(body(created) == "created 3")
    }

    /// Literal paths are found through their own hash index, which grows as routes are added:
    /// every one of many stays reachable, and near misses (a prefix, a longer path) are not found.
    @Test func manyLiteralRoutesAreEachFound() throws {
        let routes = RouteTable()
        for number in 0..<200 {
            try routes.get("/page/\(number)/view") { _ in .text("page \(number)") }
        }
        for number in 0..<200 {
            #expect(body(try routes.respond(to: Request(method: .get, path: "/page/\(number)/view"))) == "page \(number)")
        }
        #expect(try routes.respond(to: Request(method: .get, path: "/page/1")).status == .notFound)
        #expect(try routes.respond(to: Request(method: .get, path: "/page/1/view/x")).status == .notFound)
        #expect(try routes.respond(to: Request(method: .get, path: "/page/200/view")).status == .notFound)
    }

    @Test func unknownPathIs404WithShortBody() throws {
        let response = try table().respond(to: Request(method: .get, path: "/missing"))
        #expect(response.status == .notFound)
        #expect(body(response) == "Not Found\n")
    }

    @Test func queryIsNotPartOfThePath() throws {
        let response = try table().respond(to: Request(method: .get, path: "/items", rawQuery: "page=2"))
        #expect(body(response) == "list")
    }

    @Test func knownPathWithOtherMethodIs405WithAllow() throws {
        let response = try table().respond(to: Request(method: .delete, path: "/items"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["allow"] == "GET, HEAD, POST, OPTIONS")
    }

    @Test func headIsAnsweredByTheGetRoute() throws {
        let response = try table().respond(to: Request(method: .head, path: "/items"))
        #expect(response.status == .ok)
        #expect(body(response) == "list")  // the writer drops it on the wire, keeping the length
    }

    @Test func optionsListsAllowedMethods() throws {
        let response = try table().respond(to: Request(method: .options, path: "/"))
        #expect(response.status == .noContent)
        #expect(response.headers["Allow"] == "GET, HEAD, OPTIONS")
    }

    @Test func duplicateRegistrationFailsAtStartUp() throws {
        let routes = try table()
        #expect(throws: RouteError.duplicate(method: .get, pattern: "/items", firstModule: "app", secondModule: "app")) {
            try routes.get("/items") { _ in .text("again") }
        }
    }

    @Test func pathMustStartWithSlash() {
        #expect(throws: RouteError.invalidPattern("items", reason: "must start with /")) {
            try RouteTable().get("items") { _ in .text("x") }
        }
    }

    @Test func modulesRegisterAndAreRecorded() throws {
        struct Billing: RouteModule {
            func register(in routes: any RoutesBuilder) throws {
                try routes.get("/invoices", exempt: true) { _ in .text("invoices") }
            }
        }
        let routes = RouteTable()
        try routes.register(Billing())
        let route = try #require(routes.routes.first)
        #expect(route.module == "Billing")
        #expect(route.isExempt)
        #expect(routes.resolve(Request(method: .get, path: "/invoices")).isExempt)
        #expect(!routes.resolve(Request(method: .get, path: "/other")).isExempt)
    }

    @Test func handlerErrorsPropagateToTheServer() throws {
        let routes = RouteTable()
        try routes.get("/teapot") { _ in throw HTTPError(HTTPStatus(code: 418, reasonPhrase: "I'm a teapot")) }
        #expect(throws: HTTPError.self) { try routes.respond(to: Request(method: .get, path: "/teapot")) }
    }

    @Test func methodOrdinalsFollowAllCases() {
        // RouteEndpoint indexes its dispatch table by ordinal.
        #expect(HTTPMethod.allCases.map(\.ordinal) == Array(HTTPMethod.allCases.indices))
    }
}

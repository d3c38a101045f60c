import EventServer
import Metrics

/// InventoryRoutes is this application's own module: async handlers that await the database, a
/// parameter route, and an admin group whose middleware checks a token. The maintenance gate
/// covers all of it without a line here. It counts the items it creates through swift-metrics,
/// which the server exposes in `/metrics` next to its own series.
struct InventoryRoutes: RouteModule {
    let store: InventoryStore
    let adminToken: String
    private let itemsCreated = Counter(label: "inventory_items_created_total")

    init(store: InventoryStore, adminToken: String) {
        self.store = store
        self.adminToken = adminToken
    }

    func register(in routes: any RoutesBuilder) throws {
        try routes.get("/items") { _ in try .json(await store.items()) }
        try routes.get("/items/:id") { request in
            guard let id = request.parameters["id"].flatMap(Int.init), let item = try await store.item(id: id) else {
                throw HTTPError(.notFound, message: "no such item")
            }
            return try .json(item)
        }
        let admin = try routes.grouped("/admin").grouped(RequireToken(token: adminToken))
        try admin.post("/items") { request in
            let name = String(decoding: request.body, as: UTF8.self)
            guard !name.isEmpty else { throw HTTPError(.badRequest, message: "send the item name as the body") }
            let item = try await store.add(name: name)
            itemsCreated.increment()
            return try .json(item, status: .created)
        }
    }
}

/// RequireToken refuses requests without the right `Authorization: Bearer` token.
struct RequireToken: Middleware {
    let token: String

    func wrap(_ next: any Handler) -> any Handler {
        HandlerClosure { request in
            guard request.headers["Authorization"] == "Bearer \(token)" else {
                throw HTTPError(.unauthorized, message: "token required")
            }
            return try next.respond(to: request)
        }
    }
}

import HTTPCore

/// RouteGroup registers routes under a path prefix and inside its own middleware.
///
/// Groups nest; a group's middleware runs inside the maintenance gate (the gate wraps the whole
/// table), so maintenance always wins.
public final class RouteGroup: RoutesBuilder {
    private let parent: any RoutesBuilder
    private let prefix: RoutePattern
    private let middleware: [any Middleware]

    init(parent: any RoutesBuilder, prefix: RoutePattern, middleware: [any Middleware]) {
        self.parent = parent
        self.prefix = prefix
        self.middleware = middleware
    }

    public var table: RouteTable { parent.table }

    public func add(_ method: HTTPMethod, _ pattern: String, exempt: Bool, handler: any Handler) throws {
        let full = try RoutePattern(pattern).prefixed(by: prefix)
        try parent.add(method, full.description, exempt: exempt, handler: middleware.wrapping(handler))
    }
}

extension RoutesBuilder {
    /// A group whose routes live under `prefix`, e.g. `routes.grouped("/api").get("/users")`
    /// registers `/api/users`.
    public func grouped(_ prefix: String) throws -> RouteGroup {
        RouteGroup(parent: self, prefix: try RoutePattern(prefix), middleware: [])
    }

    /// A group whose routes run inside `middleware` (first is outermost).
    public func grouped(_ middleware: any Middleware...) -> RouteGroup {
        RouteGroup(parent: self, prefix: .root, middleware: middleware)
    }
}

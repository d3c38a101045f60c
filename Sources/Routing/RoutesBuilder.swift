import HTTPCore

/// RoutesBuilder is anything routes can be registered into: the table itself or a group of it.
///
/// One requirement, as in Vapor; the method helpers and grouping live in extensions.
public protocol RoutesBuilder: AnyObject {
    /// Registers `handler` for `method` and `pattern`; `exempt` routes bypass maintenance.
    func add(_ method: HTTPMethod, _ pattern: String, exempt: Bool, handler: any Handler) throws

    /// The table routes end up in.
    var table: RouteTable { get }
}

extension RoutesBuilder {
    /// Registers `handler` for `method` and `pattern`, gated by maintenance.
    public func add(_ method: HTTPMethod, _ pattern: String, handler: any Handler) throws {
        try add(method, pattern, exempt: false, handler: handler)
    }

    /// Registers a sync closure for GET `pattern`; `exempt` keeps it answering during maintenance.
    public func get(_ pattern: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.get, pattern, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers a sync closure for POST `pattern`; `exempt` keeps it answering during maintenance.
    public func post(_ pattern: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.post, pattern, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers a sync closure for PUT `pattern`; `exempt` keeps it answering during maintenance.
    public func put(_ pattern: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.put, pattern, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers a sync closure for PATCH `pattern`; `exempt` keeps it answering during maintenance.
    public func patch(_ pattern: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.patch, pattern, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers a sync closure for DELETE `pattern`; `exempt` keeps it answering during maintenance.
    public func delete(_ pattern: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.delete, pattern, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers an async `handler` for `method` and `pattern`: it runs as a task on the loop.
    public func add(_ method: HTTPMethod, _ pattern: String, exempt: Bool = false, asyncHandler handler: any AsyncHandler) throws {
        try add(method, pattern, exempt: exempt, handler: AsyncRoute(handler))
    }

    // The async forms: a closure that awaits picks these; one that does not keeps the sync
    // forms above, which run without a task.

    /// Registers an async closure for GET `pattern`: it runs as a task on the loop and may await.
    public func get(_ pattern: String, exempt: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Response) throws {
        try add(.get, pattern, exempt: exempt, asyncHandler: AsyncHandlerClosure(body))
    }

    /// Registers an async closure for POST `pattern`: it runs as a task on the loop and may await.
    public func post(_ pattern: String, exempt: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Response) throws {
        try add(.post, pattern, exempt: exempt, asyncHandler: AsyncHandlerClosure(body))
    }

    /// Registers an async closure for PUT `pattern`: it runs as a task on the loop and may await.
    public func put(_ pattern: String, exempt: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Response) throws {
        try add(.put, pattern, exempt: exempt, asyncHandler: AsyncHandlerClosure(body))
    }

    /// Registers an async closure for PATCH `pattern`: it runs as a task on the loop and may await.
    public func patch(_ pattern: String, exempt: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Response) throws {
        try add(.patch, pattern, exempt: exempt, asyncHandler: AsyncHandlerClosure(body))
    }

    /// Registers an async closure for DELETE `pattern`: it runs as a task on the loop and may await.
    public func delete(_ pattern: String, exempt: Bool = false, _ body: @escaping @Sendable (Request) async throws -> Response) throws {
        try add(.delete, pattern, exempt: exempt, asyncHandler: AsyncHandlerClosure(body))
    }

    /// Lets `module` register its routes here, recording its type name on each route.
    public func register(_ module: any RouteModule) throws {
        try table.recordingModule(String(describing: type(of: module))) {
            try module.register(in: self)
        }
    }
}

/// RouteTable maps a method and an exact path to a handler, and answers what no route covers.
///
/// - unknown path: 404 with a short body;
/// - known path, other method: 405 with `Allow`;
/// - HEAD: the HEAD route, else the GET route (the server drops the body on the wire);
/// - OPTIONS without its own route: 204 with `Allow`.
///
/// Loop-confined: register before the server runs, then use from the loop thread only.
public final class RouteTable: Handler {
    /// Route is one registered handler and how it was declared.
    public struct Route {
        public let method: HTTPMethod
        public let path: String
        public let handler: any Handler
        /// Whether the route keeps answering during maintenance.
        public let isExempt: Bool
        /// The module that registered it, for listings and errors.
        public let module: String
    }

    private struct PathRoutes {
        var byMethod: [HTTPMethod: Route] = [:]
        var allowHeader = ""
    }

    private var routesByPath: [String: PathRoutes] = [:]
    private var registeringModule = "app"

    public init() {}

    /// Every route, sorted by path then method.
    public var routes: [Route] {
        routesByPath.values.flatMap(\.byMethod.values).sorted {
            ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue)
        }
    }

    /// Registers `handler` for `method` and `path`; `exempt` routes bypass maintenance.
    public func add(_ method: HTTPMethod, _ path: String, exempt: Bool = false, handler: any Handler) throws {
        guard path.hasPrefix("/") else { throw RouteError.invalidPath(path) }
        var entry = routesByPath[path] ?? PathRoutes()
        guard entry.byMethod[method] == nil else { throw RouteError.duplicate(method: method, path: path) }
        entry.byMethod[method] = Route(
            method: method, path: path, handler: handler, isExempt: exempt, module: registeringModule)
        entry.allowHeader = Self.allowHeader(for: Set(entry.byMethod.keys))
        routesByPath[path] = entry
    }

    /// Registers a closure for GET `path`.
    public func get(_ path: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.get, path, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Registers a closure for POST `path`.
    public func post(_ path: String, exempt: Bool = false, _ body: @escaping (Request) throws -> Response) throws {
        try add(.post, path, exempt: exempt, handler: HandlerClosure(body))
    }

    /// Lets `module` register its routes, recording its name on each.
    public func register(_ module: any RouteModule) throws {
        registeringModule = String(describing: type(of: module))
        defer { registeringModule = "app" }
        try module.register(in: self)
    }

    /// The route that answers `request`, or nil when 404/405/OPTIONS answer it.
    public func route(for request: Request) -> Route? {
        guard let entry = routesByPath[request.path] else { return nil }
        return Self.route(in: entry, for: request.method)
    }

    /// Whether `request` goes to a route registered as exempt from maintenance.
    public func isExempt(_ request: Request) -> Bool {
        route(for: request)?.isExempt ?? false
    }

    public func respond(to request: Request) throws -> Response {
        guard let entry = routesByPath[request.path] else { return Self.notFound }
        if let route = Self.route(in: entry, for: request.method) {
            return try route.handler.respond(to: request)
        }
        if request.method == .options {
            return Response(status: .noContent, headers: ["Allow": entry.allowHeader])
        }
        var response = Self.methodNotAllowed
        response.headers.add(name: "Allow", value: entry.allowHeader)
        return response
    }

    private static func route(in entry: PathRoutes, for method: HTTPMethod) -> Route? {
        if let route = entry.byMethod[method] { return route }
        return method == .head ? entry.byMethod[.get] : nil
    }

    private static func allowHeader(for methods: Set<HTTPMethod>) -> String {
        var allowed = methods
        if allowed.contains(.get) { allowed.insert(.head) }
        allowed.insert(.options)
        return HTTPMethod.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
    }

    private static let notFound = Response.text("Not Found\n", status: .notFound)
    private static let methodNotAllowed = Response.text("Method Not Allowed\n", status: .methodNotAllowed)
}

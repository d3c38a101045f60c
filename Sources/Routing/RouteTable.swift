import HTTPCore

/// RouteTable maps a method and a path to a handler, and answers what no route covers.
///
/// - patterns: static segments, `:name` parameters, a trailing `*name` catch-all; the most
///   specific match wins (literal, then parameter, then catch-all);
/// - unknown path: 404 with a short body;
/// - known path, other method: 405 with `Allow`;
/// - HEAD: the HEAD route, else the GET route (the server drops the body on the wire);
/// - OPTIONS without its own route: 204 with `Allow`.
///
/// Loop-confined: register before the server runs, then use from the loop thread only.
public final class RouteTable: RoutesBuilder, Handler {
    /// Route is one registered handler and how it was declared.
    public struct Route {
        /// The method it answers.
        public let method: HTTPMethod
        /// The pattern as registered, normalised (`/users/:id`).
        public let pattern: String
        /// What answers it (middleware included).
        public let handler: any Handler
        /// Whether the route keeps answering during maintenance.
        public let isExempt: Bool
        /// The module that registered it, for listings and errors.
        public let module: String
    }

    private let root = RouteNode()
    /// Patterns made only of literals, by their exact text: a hit skips splitting and decoding
    /// the path, and a literal route is always the most specific match.
    @exclusivity(unchecked) private var literalEndpoints = LiteralRouteIndex()
    @exclusivity(unchecked) private var registered: [Route] = []
    @exclusivity(unchecked) private var registeringModule = "app"

    /// An empty table.
    public init() {}

    public var table: RouteTable { self }

    /// Every route, sorted by pattern then method.
    public var routes: [Route] {
        registered.sorted { ($0.pattern, $0.method.rawValue) < ($1.pattern, $1.method.rawValue) }
    }

    public func add(_ method: HTTPMethod, _ pattern: String, exempt: Bool, handler: any Handler) throws {
        let parsed = try RoutePattern(pattern)
        let route = Route(method: method, pattern: parsed.description, handler: handler, isExempt: exempt, module: registeringModule)
        let endpoint = try root.endpoint(for: parsed)
        try endpoint.add(route)
        if parsed.segments.allSatisfy({ $0.variableName == nil }) {
            literalEndpoints.insert(endpoint, for: parsed.description)
        }
        registered.append(route)
    }

    func recordingModule(_ name: String, _ body: () throws -> Void) rethrows {
        let outer = registeringModule
        registeringModule = name
        defer { registeringModule = outer }
        try body()
    }

    /// What answers `request`, found with one lookup of its method and path.
    public func resolve(_ request: Request) -> RouteMatch {
        guard let (endpoint, parameters) = endpoint(for: request.path) else {
            return RouteMatch(outcome: .notFound, isExempt: false)
        }
        if let route = endpoint.dispatch(for: request.method) {
            return RouteMatch(outcome: .route(route, parameters), isExempt: route.isExempt)
        }
        if request.method == .options {
            return RouteMatch(outcome: .options(allow: endpoint.allowHeader), isExempt: false)
        }
        return RouteMatch(outcome: .methodNotAllowed(allow: endpoint.allowHeader), isExempt: false)
    }

    /// Whether a request for `path` may reach a route exempt from maintenance. False only for
    /// the path of a literal route none of whose methods is exempt, found with the literal
    /// lookup alone: the gate may answer such a request without resolving it. Any other path
    /// (a pattern's, or none's) needs `resolve(_:)` to tell.
    public func mayReachExemptRoute(_ path: String) -> Bool {
        literalEndpoints.hasExemptRoute(atPath: path) ?? true
    }

    /// Answers `request` as `resolve(_:)` found, ignoring maintenance (the server gates it).
    public func respond(to request: Request) throws -> Response {
        try resolve(request).respond(to: request)
    }

    private func endpoint(for path: String) -> (RouteEndpoint, PathParameters)? {
        if let endpoint = literalEndpoints[path] { return (endpoint, PathParameters()) }
        guard path.utf8.first == UInt8(ascii: "/"), let segments = PercentDecoding.pathSegments(path) else { return nil }
        var parameters = PathParameters()
        guard let endpoint = root.match(segments, from: 0, into: &parameters) else { return nil }
        return (endpoint, parameters)
    }
}

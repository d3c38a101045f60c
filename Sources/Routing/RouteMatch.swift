import HTTPCore

/// RouteMatch is what the route table found for a request, from one lookup: what answers it and
/// whether maintenance may stop it.
///
/// The maintenance gate reads `isExempt`; then `respond(to:)` runs the route, or answers 404,
/// 405 with `Allow`, or OPTIONS' 204 with `Allow`, without looking the path up again.
public struct RouteMatch {
    enum Outcome {
        case route(RouteEndpoint.Dispatch, PathParameters)
        case methodNotAllowed(allow: String)
        case options(allow: String)
        case notFound
    }

    let outcome: Outcome
    /// Whether the route was registered as exempt from maintenance (never for 404, 405, OPTIONS).
    public let isExempt: Bool

    /// Runs the route, or answers what no route covers.
    public func respond(to request: Request) throws -> Response {
        switch outcome {
        case let .route(route, parameters):
            if parameters.isEmpty { return try route.handler.respond(to: request) }
            var bound = request
            bound.parameters = parameters
            return try route.handler.respond(to: bound)
        case let .options(allow):
            return Response(status: .noContent, headers: ["Allow": allow])
        case let .methodNotAllowed(allow):
            var response = Self.methodNotAllowed
            response.headers.add(name: "Allow", value: allow)
            return response
        case .notFound:
            return Self.notFound
        }
    }

    private static let notFound = Response.text("Not Found\n", status: .notFound)
    private static let methodNotAllowed = Response.text("Method Not Allowed\n", status: .methodNotAllowed)
}

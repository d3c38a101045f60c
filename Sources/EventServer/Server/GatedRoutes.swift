import HTTPCore
import Maintenance
import Routing

/// GatedRoutes is the innermost handler: the maintenance gate, then the route (or 404, 405,
/// OPTIONS), with one route lookup at most.
///
/// Serving, the lookup finds the route and nothing else is asked. In maintenance, the lookup
/// says whether the route is exempt, so the gate needs nothing else from the table; and the
/// path of a literal route with no exempt method is gated on the literal lookup alone, so a
/// maintenance reply skips the method dispatch a served one makes.
public struct GatedRoutes: Handler {
    private let routes: RouteTable
    private let gate: MaintenanceGate

    /// The handler that serves `routes` behind `gate`; tests use it to call an app without a socket.
    public init(routes: RouteTable, gate: MaintenanceGate) {
        self.routes = routes
        self.gate = gate
    }

    public func respond(to request: Request) throws -> Response {
        guard gate.isClosed, !gate.admits(request) else { return try routes.resolve(request).respond(to: request) }
        guard routes.mayReachExemptRoute(request.path) else { return gate.reply(to: request) }
        let match = routes.resolve(request)
        return try match.isExempt ? match.respond(to: request) : gate.reply(to: request)
    }
}

import HTTPCore
import Maintenance
import Routing

/// GatedRoutes is the innermost handler: one route lookup, then the maintenance gate, then the
/// route (or 404, 405, OPTIONS).
///
/// The lookup says whether the route is exempt, so the gate needs nothing else from the table,
/// and a request is looked up once whatever the state.
public struct GatedRoutes: Handler {
    private let routes: RouteTable
    private let gate: MaintenanceGate

    /// The handler that serves `routes` behind `gate`; tests use it to call an app without a socket.
    public init(routes: RouteTable, gate: MaintenanceGate) {
        self.routes = routes
        self.gate = gate
    }

    public func respond(to request: Request) throws -> Response {
        let match = routes.resolve(request)
        if let reply = gate.intercept(request, exempt: match.isExempt) { return reply }
        return try match.respond(to: request)
    }
}

/// MaintenanceGate is the one middleware that answers for every request while the server is in
/// maintenance, unknown paths included, except routes registered as exempt and allowed peers.
///
/// It wraps the whole route table, so no route can forget it. Out of maintenance it costs one
/// `Bool` read per request.
public struct MaintenanceGate: Middleware {
    private let state: MaintenanceState
    private let responder: MaintenanceResponder
    private let routes: RouteTable

    /// A gate reading `state`, answering through `responder`, asking `routes` which are exempt.
    public init(state: MaintenanceState, responder: MaintenanceResponder, routes: RouteTable) {
        self.state = state
        self.responder = responder
        self.routes = routes
    }

    /// A gate that always answers with `page`.
    public init(state: MaintenanceState, page: MaintenancePage, routes: RouteTable) {
        self.init(state: state, responder: MaintenanceResponder(page: page), routes: routes)
    }

    public func wrap(_ next: any Handler) -> any Handler {
        GatedHandler(next: next, state: state, responder: responder, routes: routes)
    }

    private struct GatedHandler: Handler {
        let next: any Handler
        let state: MaintenanceState
        let responder: MaintenanceResponder
        let routes: RouteTable

        func respond(to request: Request) throws -> Response {
            if !state.isActive || routes.isExempt(request) || responder.admits(request) {
                return try next.respond(to: request)
            }
            state.repliesSent += 1
            return responder.reply(to: request)
        }
    }
}

/// MaintenanceGate is the one middleware that answers 503 for every request while the server
/// is in maintenance, unknown paths included, except for routes registered as exempt.
///
/// It wraps the whole route table, so no route can forget it. Out of maintenance it costs one
/// `Bool` read per request.
public struct MaintenanceGate: Middleware {
    private let state: MaintenanceState
    private let page: MaintenancePage
    private let routes: RouteTable

    /// A gate reading `state`, answering with `page`, and asking `routes` which are exempt.
    public init(state: MaintenanceState, page: MaintenancePage, routes: RouteTable) {
        self.state = state
        self.page = page
        self.routes = routes
    }

    public func wrap(_ next: any Handler) -> any Handler {
        GatedHandler(next: next, state: state, page: page, routes: routes)
    }

    private struct GatedHandler: Handler {
        let next: any Handler
        let state: MaintenanceState
        let page: MaintenancePage
        let routes: RouteTable

        func respond(to request: Request) throws -> Response {
            if !state.isActive || routes.isExempt(request) {
                return try next.respond(to: request)
            }
            return page.response(for: request)
        }
    }
}

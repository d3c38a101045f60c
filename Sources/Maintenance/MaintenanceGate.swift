import HTTPCore

/// MaintenanceGate answers in place of the routes while the server is in maintenance, unknown
/// paths included, except exempt routes and allowed peers.
///
/// The server asks it about every request after the one route lookup, so no route can forget
/// it; whether the route is exempt comes from that lookup. Out of maintenance it costs one
/// `Bool` read per request.
public struct MaintenanceGate {
    private let state: MaintenanceState
    private let responder: MaintenanceResponder

    /// A gate reading `state` and answering through `responder`.
    public init(state: MaintenanceState, responder: MaintenanceResponder) {
        self.state = state
        self.responder = responder
    }

    /// A gate that always answers with `page`.
    public init(state: MaintenanceState, page: MaintenancePage) {
        self.init(state: state, responder: MaintenanceResponder(page: page))
    }

    /// The reply the gate sends instead of the route, or nil when `request` may pass: serving,
    /// an `exempt` route, or an allowed peer.
    public func intercept(_ request: Request, exempt: Bool) -> Response? {
        guard state.isActive, !exempt, !responder.admits(request) else { return nil }
        state.repliesSent += 1
        guard let notice = state.notice else { return responder.reply(to: request) }
        return responder.reply(to: request, notice: notice)
    }
}

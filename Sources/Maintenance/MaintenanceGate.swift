import HTTPCore

/// MaintenanceGate answers in place of the routes while the server is in maintenance, unknown
/// paths included, except exempt routes and allowed peers.
///
/// The server asks it about every request, so no route can forget it; whether the route is
/// exempt comes from the server's one route lookup. Out of maintenance it costs one `Bool` read
/// per request.
public struct MaintenanceGate {
    @usableFromInline let state: MaintenanceState
    @usableFromInline let responder: MaintenanceResponder

    /// A gate reading `state` and answering through `responder`.
    public init(state: MaintenanceState, responder: MaintenanceResponder) {
        self.state = state
        self.responder = responder
    }

    /// A gate that always answers with `page`.
    public init(state: MaintenanceState, page: MaintenancePage) {
        self.init(state: state, responder: MaintenanceResponder(page: page))
    }

    /// Whether the server is in maintenance: a request neither for an exempt route nor from an
    /// allowed peer gets `reply(to:)`.
    @inlinable
    public var isClosed: Bool { state.isActive }

    /// Whether `request` passes the closed gate: its peer is allowed, or it carries the window's
    /// bypass token.
    @inlinable
    public func admits(_ request: Request) -> Bool {
        if responder.admits(request) { return true }
        guard let digest = state.bypassDigest else { return false }
        return MaintenanceBypass.admits(request, digest: digest)
    }

    /// The reply sent instead of the route while the gate is closed.
    public func reply(to request: Request) -> Response {
        state.repliesSent += 1
        guard state.hasNotice else { return responder.reply(to: request) }
        return responder.reply(to: request, notice: state.notice)
    }
}

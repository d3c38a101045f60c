import EventServer

/// HealthRoutes serves the probes orchestrators and load balancers poll; both are exempt from
/// the maintenance gate so they can report the state.
///
/// - `GET /livez`: 200 while the loop runs. It must not fail in maintenance, or Kubernetes would
///   restart the process and lose the flag.
/// - `GET /readyz`: 200 in service, 503 in maintenance and from the first stop signal on
///   (`--shutdown-delay`), so load balancers drain this instance.
public struct HealthRoutes: RouteModule {
    private let maintenance: MaintenanceState

    /// Probes that read `maintenance`.
    public init(maintenance: MaintenanceState) {
        self.maintenance = maintenance
    }

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "/livez", exempt: true, handler: ConstantHandler(Self.alive))
        try routes.add(.get, "/readyz", exempt: true, handler: Readiness(maintenance: maintenance))
    }

    private struct Readiness: Handler {
        let maintenance: MaintenanceState

        func respond(to request: Request) -> Response {
            if maintenance.isStopping { return HealthRoutes.stopping }
            return maintenance.isActive ? HealthRoutes.notReady : HealthRoutes.ready
        }
    }

    private static let noStore: HTTPHeaders = [
        "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store",
    ]
    static let alive = Response(status: .ok, headers: noStore, body: Array("alive\n".utf8))
    static let ready = Response(status: .ok, headers: noStore, body: Array("ready\n".utf8))
    static let notReady = Response(
        status: .serviceUnavailable, headers: noStore, body: Array("maintenance\n".utf8))
    static let stopping = Response(
        status: .serviceUnavailable, headers: noStore, body: Array("stopping\n".utf8))
}

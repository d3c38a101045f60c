import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// StatusRoutes serves `GET /status`: the live state as JSON, exempt from maintenance so
/// operators and scripts can see it at any time.
///
/// `{"state":"maintenance","since":"2026-11-25T17:22:06Z","since_unix":…,"uptime_seconds":…,
/// "pid":…,"version":"0.1.0","requests":…,"reloads":…}`
public struct StatusRoutes: RouteModule {
    private let maintenance: MaintenanceState
    private let statistics: ServerStatistics

    public init(maintenance: MaintenanceState, statistics: ServerStatistics) {
        self.maintenance = maintenance
        self.statistics = statistics
    }

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "/status", exempt: true, handler: StatusHandler(maintenance: maintenance, statistics: statistics))
    }

    private struct StatusHandler: Handler {
        let maintenance: MaintenanceState
        let statistics: ServerStatistics

        func respond(to request: Request) -> Response {
            let state = maintenance.isActive ? "maintenance" : "serving"
            let uptime = (statistics.uptimeSeconds * 1000).rounded() / 1000
            let json = """
                {"state":"\(state)","since":"\(UTCTime.iso8601(maintenance.changedAt))",\
                "since_unix":\(maintenance.changedAt),"uptime_seconds":\(uptime),"pid":\(getpid()),\
                "version":"\(EventServerVersion.current)","requests":\(statistics.requestsReceived),\
                "reloads":\(statistics.reloads)}\n
                """
            var response = Response.json(json)
            response.headers.add(name: "Cache-Control", value: "no-store")
            return response
        }
    }
}

import EventServer

/// MetricsRoutes serves `GET /metrics` in the Prometheus text format (version 0.0.4), exempt
/// from maintenance so scrapes keep working while the site is down: the server's own series,
/// then what route modules recorded through swift-metrics (`ModuleMetrics`).
public struct MetricsRoutes: RouteModule {
    private let maintenance: MaintenanceState
    private let statistics: ServerStatistics

    /// Metrics of `maintenance` and `statistics` (the server's own).
    public init(maintenance: MaintenanceState, statistics: ServerStatistics) {
        self.maintenance = maintenance
        self.statistics = statistics
    }

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "/metrics", exempt: true, handler: MetricsHandler(maintenance: maintenance, statistics: statistics))
    }

    private struct MetricsHandler: Handler {
        let maintenance: MaintenanceState
        let statistics: ServerStatistics

        func respond(to request: Request) -> Response {
            var text = ""
            func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
                text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
                for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
            }
            metric(
                "eventserver_http_responses_total", "counter", "Replies sent, by status code.",
                statistics.responsesByStatus.map { ("{code=\"\($0.code)\"}", String($0.count)) })
            metric("eventserver_http_requests_total", "counter", "Requests received.", [("", String(statistics.requestsReceived))])
            metric(
                "eventserver_http_responses_by_protocol_total", "counter", "Replies sent, by protocol.",
                [("{protocol=\"http/1.1\"}", String(statistics.repliesSent - statistics.http2Replies)),
                 ("{protocol=\"h2\"}", String(statistics.http2Replies))])
            metric(
                "eventserver_maintenance", "gauge", "1 while in maintenance, 0 while serving.",
                [("", maintenance.isActive ? "1" : "0")])
            metric(
                "eventserver_maintenance_since_seconds", "gauge", "Unix time of the last state change.",
                [("", String(maintenance.changedAt))])
            metric(
                "eventserver_maintenance_transitions_total", "counter", "Maintenance state changes since start.",
                [("", String(maintenance.transitions))])
            metric(
                "eventserver_maintenance_replies_total", "counter", "Replies the maintenance gate sent instead of a route.",
                [("", String(maintenance.repliesSent))])
            metric(
                "eventserver_open_connections", "gauge", "Open connections, from accept to close.",
                [("", String(statistics.openConnections))])
            metric(
                "eventserver_replies_in_flight", "gauge",
                "Requests read whose reply is not yet written (async handlers and streams included).",
                [("", String(statistics.repliesInFlight))])
            metric(
                "eventserver_direct_replies_total", "counter",
                "HTTP/1.1 replies written without evhttp's parser (a whole GET or HEAD without a body, its async handler's reply included).",
                [("", String(statistics.directReplies))])
            metric(
                "eventserver_tls_handshake_failures_total", "counter",
                "TLS connections closed before the handshake finished (plain HTTP, garbage, truncated or stalled handshakes).",
                [("", String(statistics.tlsHandshakeFailures))])
            metric(
                "eventserver_accept_pauses_total", "counter", "Times accepting paused at the connection cap.",
                [("", String(statistics.acceptPauses))])
            metric(
                "eventserver_connections_refused_total", "counter",
                "Connections the server answered or closed itself: requests breaking HTTP/1.1, deadlines, by reason.",
                statistics.refusalsByReason.map { ("{reason=\"\($0.reason)\"}", String($0.count)) })
            metric("eventserver_reloads_total", "counter", "Completed SIGHUP reloads.", [("", String(statistics.reloads))])
            metric("eventserver_uptime_seconds", "gauge", "Seconds since start.", [("", String(statistics.uptimeSeconds))])
            metric(
                "eventserver_build_info", "gauge", "Always 1; the version is a label.",
                [("{version=\"\(EventServerVersion.current)\"}", "1")])
            return Response(
                status: .ok,
                headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"],
                body: Array(text.utf8) + ModuleMetrics.exposition())
        }
    }
}

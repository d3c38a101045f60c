import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// StatusRoutes serves `GET /status`: the live state as JSON, exempt from maintenance so
/// operators and scripts can see it at any time; and `GET /status/events`, a Server-Sent Events
/// stream of the state: the current one at once, then every change as it happens
/// (`event: maintenance` / `event: serving`, data `{"state":…,"since":…,"since_unix":…,
/// "message":…,"until":…}`).
///
/// `{"state":"maintenance","since":"2026-11-25T17:22:06Z","since_unix":…,"message":…,"until":…,
/// "bypass":false,"uptime_seconds":…,"pid":…,"version":"0.1.0","requests":…,"reloads":…}`;
/// `message` and `until` (RFC 3339) are the operator's notice, null when none was given;
/// `bypass` says whether a bypass token is in force (never the token or its digest).
public struct StatusRoutes: RouteModule {
    private let maintenance: MaintenanceState
    private let statistics: ServerStatistics

    /// Status of `maintenance` and `statistics` (the server's own).
    public init(maintenance: MaintenanceState, statistics: ServerStatistics) {
        self.maintenance = maintenance
        self.statistics = statistics
    }

    public func register(in routes: any RoutesBuilder) throws {
        try routes.add(.get, "/status", exempt: true, handler: StatusHandler(maintenance: maintenance, statistics: statistics))
        try routes.add(.get, "/status/events", exempt: true, handler: StatusEventsHandler(maintenance: maintenance))
    }

    private struct StatusEventsHandler: Handler {
        let maintenance: MaintenanceState

        func respond(to request: Request) -> Response {
            // Subscribed here, on the loop, where the state lives; the stream carries values only.
            let updates = maintenance.updates()
            return Response.eventStream { events in
                for await state in updates {
                    let name = state.isActive ? "maintenance" : "serving"
                    try await events.send(
                        event: name,
                        data: #"{"state":"\#(name)","since":"\#(UTCTime.iso8601(state.changedAt))","since_unix":\#(state.changedAt),"#
                            + noticeFields(state.notice) + "}")
                }
            }
        }
    }

    private struct StatusHandler: Handler {
        let maintenance: MaintenanceState
        let statistics: ServerStatistics

        func respond(to request: Request) -> Response {
            let state = maintenance.isActive ? "maintenance" : "serving"
            let uptime = (statistics.uptimeSeconds * 1000).rounded() / 1000
            let json = """
                {"state":"\(state)","since":"\(UTCTime.iso8601(maintenance.changedAt))",\
                "since_unix":\(maintenance.changedAt),\(noticeFields(maintenance.notice)),\
                "uptime_seconds":\(uptime),"pid":\(getpid()),\
                "version":"\(EventServerVersion.current)","requests":\(statistics.requestsReceived),\
                "reloads":\(statistics.reloads)}\n
                """
            var response = Response.json(json)
            response.headers.add(name: "Cache-Control", value: "no-store")
            return response
        }
    }
}

/// `"message":…,"until":…,"bypass":…` for a notice, message and until null when absent.
private func noticeFields(_ notice: MaintenanceNotice?) -> String {
    let message = notice?.message.map(TextEscaping.jsonString) ?? "null"
    let until = notice?.until.map { "\"\(UTCTime.iso8601($0))\"" } ?? "null"
    return #""message":\#(message),"until":\#(until),"bypass":\#(notice?.bypassDigest != nil)"#
}

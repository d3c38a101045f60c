import EventServerSupport
import HTTPCore
import Maintenance
internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// RequestDispatcher is what the server does with each request the transport hands up: answer it
/// through the root handler, count the reply and write its access-log line.
///
/// Loop-confined; lives while the server runs.
final class RequestDispatcher: HTTPResponder {
    private let root: ErrorRenderer
    private let statistics: ServerStatistics
    private let accessLog: AccessLog?
    /// Read around each reply for the JSON access log's `gate`: whether the gate answered.
    private let maintenance: MaintenanceState
    /// Held strongly: the loop holds nothing of the dispatcher's, so there is no cycle, and an
    /// `unowned` reference would cost a check per request.
    private let loop: EventLoop

    init(root: ErrorRenderer, statistics: ServerStatistics, accessLog: AccessLog?, maintenance: MaintenanceState, loop: EventLoop) {
        self.root = root
        self.statistics = statistics
        self.accessLog = accessLog
        self.maintenance = maintenance
        self.loop = loop
    }

    func respond(to request: Request) -> Response {
        statistics.requestsReceived += 1
        // Whether the gate answered, for the access log: its count moves while it does.
        let gateRepliesBefore = accessLog == nil ? 0 : maintenance.repliesSent
        let response = root.respond(to: request)
        if response.deferred != nil { return response }  // counted when it is answered
        record(request, response, gateRepliesBefore: gateRepliesBefore)
        return response
    }

    func response(for error: any Error, to request: Request) -> Response {
        root.response(for: error, to: request)
    }

    func answeredLater(_ request: Request, with response: Response) {
        record(request, response, gateRepliesBefore: maintenance.repliesSent)  // the gate never answers later
    }

    private func record(_ request: Request, _ response: Response, gateRepliesBefore: Int) {
        statistics.recordResponse(response.status)
        if request.majorVersion == 2 { statistics.http2Replies += 1 }
        if let accessLog {
            let gated = maintenance.repliesSent != gateRepliesBefore
            let bytes = request.method == .head ? 0 : response.contentLength
            let received = request.receivedAtMicroseconds
            let microseconds = received == 0 ? 0 : MonotonicClock.microseconds() - received
            accessLog.record(
                AccessLog.Entry(
                    request: request, peer: request.peerAddress, status: response.status.code, bytes: bytes,
                    gated: gated, microseconds: microseconds),
                now: loop.cachedUnixSeconds)
        }
    }

    func transportRefused(_ refusal: ConnectionRefusal, peerAddress: String?) {
        guard let status = refusal.status else { return }  // an idle connection closed: no request
        statistics.requestsReceived += 1
        statistics.recordResponse(status)
        accessLog?.record(nil, peer: peerAddress, status: status.code, bytes: 0, now: loop.cachedUnixSeconds)
    }
}

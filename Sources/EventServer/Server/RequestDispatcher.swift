import HTTPCore
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
    private unowned let loop: EventLoop

    init(root: ErrorRenderer, statistics: ServerStatistics, accessLog: AccessLog?, loop: EventLoop) {
        self.root = root
        self.statistics = statistics
        self.accessLog = accessLog
        self.loop = loop
    }

    func respond(to incoming: IncomingRequest) -> Response {
        statistics.requestsReceived += 1
        switch incoming {
        case let .accepted(request):
            let response = root.respond(to: request)
            record(response, to: request, peer: request.peerAddress)
            return response
        case let .refused(_, peerAddress):
            record(Self.badRequest, to: nil, peer: peerAddress)
            return Self.badRequest
        }
    }

    private func record(_ response: Response, to request: Request?, peer: String?) {
        statistics.recordResponse(response.status)
        guard let accessLog else { return }
        let bytes = request?.method == .head ? 0 : response.contentLength
        accessLog.record(request, peer: peer, status: response.status.code, bytes: bytes, now: loop.cachedUnixSeconds)
    }

    private static let badRequest = Response.text("Bad Request\n", status: .badRequest)
}

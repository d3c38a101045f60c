import CEvent
import HTTPCore

/// Replies produced by tasks on the loop: deferred responses (async handlers) and streamed
/// bodies. The synchronous path never comes here.
extension HTTPServerTransport {
    /// How much unsent output a streamed body may leave on its connection before its writer waits.
    static let streamWatermark = 64 * 1024

    func answerLater(
        _ response: Response, to request: Request, _ cRequest: UnsafeMutablePointer<evhttp_request>,
        on connection: Connection?, closeConnection: Bool
    ) {
        guard let connection else {
            // Not tracked (cannot happen once accepted normally): no way to notice a hang-up.
            return send(Self.unavailable, to: cRequest, method: request.method, closeConnection: true, on: nil)
        }
        let pending = PendingReply(
            request: cRequest, connection: connection, method: request.method, closeConnection: closeConnection)
        connection.pending = pending
        pending.watchForHangUp(on: loop.base)
        if let deferred = response.deferred {
            run(deferred, placeholder: response, for: request, pending)
        } else {
            startStream(response, for: request, pending, cRequest)
        }
    }

    /// An async handler's task for a request read without evhttp (`answerDirectly`, which
    /// counted the reply): the connection is not read until the reply is written, so a request
    /// sent behind this one waits its turn, as evhttp makes it wait; the hang-up watch notices a
    /// client that leaves meanwhile.
    func answerLaterDirectly(
        _ deferred: DeferredResponse, placeholder: Response, to request: Request, bytes: [UInt8], on connection: Connection
    ) {
        let pending = PendingReply(request: nil, connection: connection, method: request.method, closeConnection: false)
        pending.requestBytes = bytes
        connection.pending = pending
        connection.readsPaused = true
        // The watch first: the socket then never leaves epoll (libevent's change list keeps a
        // descriptor registered while one of its events reads, but re-adds a removed one).
        pending.watchForHangUp(on: loop.base)
        bufferevent_disable(connection.bufferevent, Int16(EV_READ))
        run(deferred, placeholder: placeholder, for: request, pending)
    }

    private func run(_ deferred: DeferredResponse, placeholder: Response, for request: Request, _ pending: PendingReply) {
        let transport = LoopBound(self, on: loop.executor)
        let bound = LoopBound(pending, on: loop.executor)
        pending.task = Task(executorPreference: loop.executor) {
            var response: Response
            do {
                response = try await deferred.produce()
            } catch {
                // Cancelled because the client left: nothing to answer, nothing to report.
                if bound.value.isAbandoned { return }
                response = transport.value.responder.response(for: error, to: request)
            }
            transport.value.finish(bound.value, with: response, placeholder: placeholder, for: request)
        }
    }

    private func finish(_ pending: PendingReply, with produced: Response, placeholder: Response, for request: Request) {
        guard !pending.isAbandoned else { return }  // the client left; evhttp freed the request
        var response = produced
        // Headers a middleware added around the async route reach the client.
        for field in placeholder.headers where response.headers[field.name] == nil {
            response.headers.add(name: field.name, value: field.value)
        }
        if response.deferred != nil {  // a deferred response must resolve to a real one
            response = responder.response(for: DeferredTwice(), to: request)
        }
        responder.answeredLater(request, with: response)
        guard let cRequest = pending.request else { return finishDirectly(pending, with: response, for: request) }
        if response.stream != nil { return startStream(response, for: request, pending, cRequest) }
        done(pending)
        send(
            response, to: cRequest, method: pending.method,
            closeConnection: pending.closeConnection || isDraining, on: pending.connection, requestID: request.requestID)
    }

    /// The task's reply to a request read without evhttp. A stream goes to evhttp after all: the
    /// request's bytes are put back, unread by the scanner again, and evhttp parses them at once
    /// and takes this response (`stashedReply`) instead of asking the responder again.
    private func finishDirectly(_ pending: PendingReply, with response: Response, for request: Request) {
        let connection = pending.connection
        guard response.stream != nil || response.file != nil else {
            // The hang-up watch stays until the reply is written and reading resumes
            // (`ConnectionTracker.replyWritten`), for the same reason as in `answerLaterDirectly`.
            return writeDirectly(response, for: request, on: connection, closing: isDraining)
        }
        tracker.untrackDirect(connection)
        connection.readsPaused = false
        bufferevent_enable(connection.bufferevent, Int16(EV_READ))
        done(pending)
        stashedReply = StashedReply(connection: connection, request: request, response: response)
        connection.putBack(pending.requestBytes)
        bufferevent_trigger(connection.bufferevent, Int16(EV_READ), 0)
    }

    private func startStream(
        _ response: Response, for request: Request, _ pending: PendingReply, _ cRequest: UnsafeMutablePointer<evhttp_request>
    ) {
        // HTTP/1.0 has no chunks: the body ends when the connection closes.
        let closeConnection = pending.closeConnection || isDraining || request.minorVersion == 0
        ReplyWriter.start(
            response, to: cRequest, closeConnection: closeConnection, requestID: request.requestID,
            date: dateCache.value(at: loop.cachedUnixSeconds), head: &replyHead)
        guard let stream = response.stream, pending.method != .head, !response.status.forbidsBody else {
            done(pending)
            return evhttp_send_reply_end(cRequest)
        }
        let transport = LoopBound(self, on: loop.executor)
        let bound = LoopBound(pending, on: loop.executor)
        let writer = BodyWriter { bytes in try await transport.value.write(bytes, to: bound.value) }
        pending.task = Task(executorPreference: loop.executor) {
            var failed = false
            do {
                try await stream.produce(writer)
            } catch {
                failed = true
            }
            transport.value.endStream(bound.value, failed: failed)
        }
    }

    private func write(_ bytes: [UInt8], to pending: PendingReply) async throws {
        guard !pending.isAbandoned, let cRequest = pending.request else { throw CancellationError() }
        guard let chunk = evbuffer_new() else { throw CancellationError() }
        defer { evbuffer_free(chunk) }
        bytes.withUnsafeBytes { _ = evbuffer_add(chunk, $0.baseAddress, $0.count) }
        evhttp_send_reply_chunk_with_cb(cRequest, chunk, drainedCallback, pending.context)
        if let output = bufferevent_get_output(pending.connection.bufferevent),
            evbuffer_get_length(output) > Self.streamWatermark
        {
            try await pending.waitForDrain()
        }
    }

    private func endStream(_ pending: PendingReply, failed: Bool) {
        guard !pending.isAbandoned else { return }
        done(pending)
        if failed, let evhttpConnection = pending.connection.evhttpConnection {
            // The body stopped half-way: closing without the last chunk tells the client so.
            evhttp_connection_free(evhttpConnection)
        } else if let cRequest = pending.request {
            evhttp_send_reply_end(cRequest)
        }
    }

    /// The reply no longer needs its hang-up watch.
    private func done(_ pending: PendingReply) {
        pending.stopWatching()
        if pending.connection.pending === pending { pending.connection.pending = nil }
    }

    private static let unavailable = Response.text("Service Unavailable\n", status: .serviceUnavailable)
}

/// An async handler returned another deferred response instead of a real one.
struct DeferredTwice: Error, CustomStringConvertible {
    var description: String { "an async handler returned a deferred response" }
}

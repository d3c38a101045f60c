import CEvent
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// PendingReply is a request whose reply an async task is producing: a deferred response, or
/// a streamed body.
///
/// evhttp stops reading a connection while its request is answered, so it would notice a
/// client that hangs up only when writing to it. The pending reply watches the socket itself
/// and, on end of file, frees evhttp's connection: the tracker then abandons this reply
/// (cancels its task, never touches the freed request again). Loop-confined.
final class PendingReply {
    /// evhttp's request; nil for a request answered without evhttp (`answerLaterDirectly`).
    let request: UnsafeMutablePointer<evhttp_request>?
    /// A request answered without evhttp: its bytes, for evhttp to parse after all if the task's
    /// response is a stream (which evhttp carries).
    @exclusivity(unchecked) var requestBytes: [UInt8] = []
    let connection: Connection
    let method: HTTPMethod
    let closeConnection: Bool
    /// The task producing the reply.
    @exclusivity(unchecked) var task: Task<Void, Never>?
    /// Whether the client went away: the request is gone, nothing may be sent.
    @exclusivity(unchecked) private(set) var isAbandoned = false
    /// A streamed body's writer waiting for the connection's output to drain.
    @exclusivity(unchecked) private var drainWaiter: CheckedContinuation<Void, any Error>?
    @exclusivity(unchecked) private var hangUpWatch: OpaquePointer?

    init(request: UnsafeMutablePointer<evhttp_request>?, connection: Connection, method: HTTPMethod, closeConnection: Bool) {
        self.request = request
        self.connection = connection
        self.method = method
        self.closeConnection = closeConnection
    }

    deinit {
        if let hangUpWatch { event_free(hangUpWatch) }
    }

    /// Starts watching for the client hanging up.
    func watchForHangUp(on base: OpaquePointer) {
        let socket = bufferevent_getfd(connection.bufferevent)
        hangUpWatch = event_new(
            base, socket, Int16(EV_READ | EV_PERSIST), hangUpCallback, Unmanaged.passUnretained(self).toOpaque())
        if let hangUpWatch { event_add(hangUpWatch, nil) }
    }

    func stopWatching() {
        if let hangUpWatch { event_del(hangUpWatch) }
    }

    /// The client went away (evhttp's connection is being freed): cancel the task and wake a
    /// waiting writer, which then throws. Called before evhttp frees the request it still owns.
    func abandon() {
        isAbandoned = true
        // evhttp detaches (rather than frees) a request still being answered when it sees the
        // client go; a detached request is ours to free.
        if let request, evhttp_request_get_connection(request) == nil { evhttp_request_free(request) }
        stopWatching()
        task?.cancel()
        drainWaiter?.resume(throwing: CancellationError())
        drainWaiter = nil
    }

    /// Suspends the calling writer until the connection's output has been written.
    func waitForDrain() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if isAbandoned {
                continuation.resume(throwing: CancellationError())
            } else {
                drainWaiter = continuation
            }
        }
    }

    /// evhttp wrote everything queued: a waiting writer may go on.
    fileprivate func drained() {
        drainWaiter?.resume()
        drainWaiter = nil
    }

    fileprivate func socketReadable() {
        var byte: UInt8 = 0
        let received = recv(bufferevent_getfd(connection.bufferevent), &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if received > 0 {
            // The client sent more (a pipelined request): it is still there, and its bytes
            // keep the socket readable, so stop watching rather than spin.
            stopWatching()
            return
        }
        if received < 0 && (errno == EAGAIN || errno == EINTR) { return }
        stopWatching()
        // End of file or reset: free the connection; its close callback abandons this reply.
        if let evhttpConnection = connection.evhttpConnection { evhttp_connection_free(evhttpConnection) }
    }

    /// The argument evhttp hands back to `drainedCallback`.
    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

private func hangUpCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<PendingReply>.fromOpaque(context).takeUnretainedValue().socketReadable()
}

/// evhttp's "chunk written" callback (`evhttp_send_reply_chunk_with_cb`).
func drainedCallback(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<PendingReply>.fromOpaque(context).takeUnretainedValue().drained()
}

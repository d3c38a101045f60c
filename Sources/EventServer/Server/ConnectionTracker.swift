import CEvent

/// ConnectionTracker keeps `statistics.openConnections` and `statistics.repliesInFlight` true.
///
/// evhttp 2.1 has no connection hooks of its own, so the first request on a connection
/// registers a close callback, and every reply a completion callback. A graceful stop waits
/// until no reply is in flight. Loop-confined.
final class ConnectionTracker {
    private let statistics: ServerStatistics
    /// Called whenever the replies in flight drop to zero.
    var onAllRepliesWritten: (() -> Void)?

    /// Whether each tracked connection has a reply in flight (evhttp serves one request per
    /// connection at a time).
    private var replyPending: [OpaquePointer: Bool] = [:]
    /// Connections to close once their reply is written (see `closeAfterReply`).
    private var closeAfterWritten: Set<OpaquePointer> = []
    private var closingSoon: [OpaquePointer] = []
    private let base: OpaquePointer

    init(base: OpaquePointer, statistics: ServerStatistics) {
        self.base = base
        self.statistics = statistics
    }

    /// Starts tracking `request`'s reply and, on its first request, its connection.
    func track(_ request: UnsafeMutablePointer<evhttp_request>) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let connection = evhttp_request_get_connection(request) else { return }
        if replyPending.updateValue(true, forKey: connection) == nil {
            statistics.openConnections += 1
            evhttp_connection_set_closecb(connection, connectionClosedCallback, context)
        }
        statistics.repliesInFlight += 1
        evhttp_request_set_on_complete_cb(request, replyWrittenCallback, context)
    }

    /// Closes `request`'s connection once its reply is written. evhttp never closes a CONNECT
    /// connection itself, even after answering `Connection: close`, so a client waiting for the
    /// close would hang until the timeout.
    func closeAfterReply(_ request: UnsafeMutablePointer<evhttp_request>) {
        if let connection = evhttp_request_get_connection(request) { closeAfterWritten.insert(connection) }
    }

    fileprivate func replyWritten(on connection: OpaquePointer) {
        replyPending[connection] = false
        if closeAfterWritten.remove(connection) != nil {
            // Not from inside evhttp's completion callback, which still uses the connection:
            // on the next loop pass.
            closingSoon.append(connection)
            var now = timeval()
            event_base_once(base, -1, Int16(EV_TIMEOUT), closeConnectionsCallback, Unmanaged.passUnretained(self).toOpaque(), &now)
        }
        replyFinished()
    }

    fileprivate func closeConnectionsNow() {
        let connections = closingSoon
        closingSoon.removeAll()
        // A connection the peer already closed is gone from `replyPending`; never free it twice.
        for connection in connections where replyPending[connection] != nil {
            evhttp_connection_free(connection)
        }
    }

    fileprivate func connectionClosed(_ connection: OpaquePointer) {
        statistics.openConnections -= 1
        closeAfterWritten.remove(connection)
        if replyPending.removeValue(forKey: connection) == true {
            replyFinished()  // the peer went away before the reply was written
        }
    }

    private func replyFinished() {
        statistics.repliesInFlight -= 1
        if statistics.repliesInFlight == 0 { onAllRepliesWritten?() }
    }
}

private func replyWrittenCallback(_ request: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context, let connection = evhttp_request_get_connection(request) else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().replyWritten(on: connection)
}

private func closeConnectionsCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().closeConnectionsNow()
}

private func connectionClosedCallback(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let connection, let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().connectionClosed(connection)
}

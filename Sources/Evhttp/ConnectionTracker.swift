import CEvent

#if canImport(Glibc)
import Glibc
#endif

/// ConnectionTracker counts connections from accept to close and replies from send to written,
/// pauses accepting at the connection cap, and closes connections that must not be reused.
///
/// evhttp 2.1 has no connection hooks of its own. Each accepted connection's bufferevent is
/// created here (`evhttp_set_bevcb`); once evhttp has wrapped it in its connection object, on
/// the next loop pass, the tracker finds that object through the bufferevent's callback argument
/// and registers a close callback (an event above I/O priority, so before the connection's first
/// read). A reference held on the bufferevent until then keeps it valid even if evhttp drops the
/// connection first. Loop-confined.
final class ConnectionTracker {
    let counters: ConnectionCounters
    /// Called whenever the replies in flight drop to zero.
    var onAllRepliesWritten: (() -> Void)?
    /// The listener paused at the cap; nil before binding and after accepting stopped.
    var listener: OpaquePointer?
    private let base: OpaquePointer
    private let cap: Int

    /// Whether each connection evhttp has taken over has a reply in flight (evhttp serves one
    /// request per connection at a time).
    private var replyPending: [OpaquePointer: Bool] = [:]
    /// Connections to close once their reply is written (see `closeAfterReply`).
    private var closeAfterWritten: Set<OpaquePointer> = []
    private var closingSoon: [OpaquePointer] = []
    /// Bufferevents of connections accepted in this loop pass, each holding a reference.
    private var awaitingAdoption: [OpaquePointer] = []

    /// Runs `adoptConnections` ahead of I/O, so a new connection is adopted before evhttp reads
    /// its first request.
    private var adoption: OpaquePointer?

    init(base: OpaquePointer, cap: Int, counters: ConnectionCounters) {
        self.base = base
        self.cap = cap
        self.counters = counters
        adoption = event_new(base, -1, 0, adoptConnectionsCallback, context)
        if let adoption { event_priority_set(adoption, EventLoop.urgentPriority) }
    }

    deinit {
        if let adoption { event_free(adoption) }
        for bufferevent in awaitingAdoption { bufferevent_decref(bufferevent) }
    }

    private var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    // MARK: Connections

    /// The bufferevent for a connection being accepted: evhttp's own kind (a socket bufferevent
    /// without close-on-free: evhttp closes the descriptor itself).
    func newConnection() -> OpaquePointer? {
        guard let bufferevent = bufferevent_socket_new(base, -1, 0) else { return nil }
        bufferevent_incref(bufferevent)
        counters.openConnections += 1
        if counters.openConnections >= cap, let listener {
            // The listener checks this between accepts, so no connection beyond the cap is taken.
            evconnlistener_disable(listener)
            counters.acceptPauses += 1
        }
        if awaitingAdoption.isEmpty, let adoption { event_active(adoption, EV_TIMEOUT, 0) }
        awaitingAdoption.append(bufferevent)
        return bufferevent
    }

    fileprivate func adoptConnections() {
        let accepted = awaitingAdoption
        awaitingAdoption.removeAll(keepingCapacity: true)
        for bufferevent in accepted { adopt(bufferevent) }
    }

    private func adopt(_ bufferevent: OpaquePointer) {
        defer { bufferevent_decref(bufferevent) }
        var readCallback: bufferevent_data_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferevent, &readCallback, nil, nil, &argument)
        // evhttp frees a connection it could not set up at once, clearing the callbacks.
        guard readCallback != nil, let argument else { return connectionGone() }
        let connection = OpaquePointer(argument)
        if replyPending[connection] == nil { replyPending[connection] = false }
        evhttp_connection_set_closecb(connection, connectionClosedCallback, context)
    }

    fileprivate func connectionClosed(_ connection: OpaquePointer) {
        closeAfterWritten.remove(connection)
        if replyPending.removeValue(forKey: connection) == true {
            replyFinished()  // the peer went away before the reply was written
        }
        connectionGone()
    }

    private func connectionGone() {
        counters.openConnections -= 1
        // Also undoes a pause after accept() failed for lack of descriptors (`acceptFailed`).
        if counters.openConnections < cap, let listener { evconnlistener_enable(listener) }
    }

    // MARK: Replies

    /// Starts tracking `request`'s reply.
    func track(_ request: UnsafeMutablePointer<evhttp_request>) {
        if let connection = evhttp_request_get_connection(request) { replyPending[connection] = true }
        counters.repliesInFlight += 1
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
            event_base_once(base, -1, Int16(EV_TIMEOUT), closeConnectionsCallback, context, &now)
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

    private func replyFinished() {
        counters.repliesInFlight -= 1
        if counters.repliesInFlight == 0 { onAllRepliesWritten?() }
    }
}

/// The listener's error callback: `accept()` failed. Out of descriptors, libevent would retry on
/// every loop pass (a busy loop); the listener pauses instead until a connection closes.
func acceptFailed(_ listener: OpaquePointer?, _: UnsafeMutableRawPointer?) {
    guard let listener, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno) else { return }
    evconnlistener_disable(listener)
}

private func adoptConnectionsCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().adoptConnections()
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

import CEvent
import CTLS
import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// ConnectionTracker follows every connection from accept to close: it counts connections and
/// replies, pauses accepting at the cap, refuses requests that break HTTP/1.1, enforces the
/// header and request deadlines, and closes connections that must not be reused.
///
/// evhttp 2.1 has no connection hooks of its own. Each accepted connection's bufferevent is
/// created here (`evhttp_set_bevcb`), so its input buffer can be watched before evhttp parses
/// it; once evhttp has wrapped it in its connection object, on the next loop pass (an event
/// above I/O priority, so before the connection's first read), the tracker finds that object
/// through the bufferevent's callback argument and registers a close callback. A reference held
/// on the bufferevent until then keeps it valid even if evhttp drops the connection first.
/// Loop-confined.
final class ConnectionTracker {
    let counters: ConnectionCounters
    /// Called whenever the replies in flight drop to zero while draining.
    @exclusivity(unchecked) var onAllRepliesWritten: (() -> Void)?
    /// Called whenever a connection closes.
    @exclusivity(unchecked) var onConnectionClosed: (() -> Void)?
    /// The certificate new connections are served with; nil for plain HTTP.
    @exclusivity(unchecked) var tls: TLSContext?
    /// Set when accepting stopped: keep-alive connections idle for a whole tick are closed (a
    /// busy one closes after its next reply, which carries `Connection: close`).
    @exclusivity(unchecked) var isDraining = false
    /// The listener paused at the cap; nil before binding and after accepting stopped.
    @exclusivity(unchecked) var listener: OpaquePointer?
    /// Told of every connection the tracker answers or closes itself.
    @exclusivity(unchecked) unowned var responder: (any HTTPResponder)?
    private let base: OpaquePointer
    private let limits: HTTPLimits
    private let rawReplies: RawReplies
    /// Whether plain connections keep their socket registered for reading (`ReadInterest`, a
    /// libevent 2.1 path: `LibeventRuntime`).
    private let keepsReadInterest: Bool
    /// Whether a plain connection that begins with the HTTP/2 preface is served as HTTP/2.
    let servesHTTP2: Bool
    /// Starts an `HTTP2Connection` on a handed-off connection (set by the transport).
    var startHTTP2: ((_ connection: Connection, _ initialBytes: [UInt8], _ peerAddress: String?) -> Void)?
    /// Told when evhttp frees a handed-off connection (the server stops, say).
    var handedOffClosed: ((_ connection: Connection) -> Void)?
    /// Answers whole requests without evhttp (`HTTPServerTransport.answerDirectly`); nil where
    /// the tuned paths are off. The transport owns the tracker.
    @exclusivity(unchecked) unowned(unsafe) var directResponder: HTTPServerTransport?
    /// evhttp's callbacks, kept while a direct reply's write holds a bufferevent (`DirectWrite`).
    @exclusivity(unchecked) var evhttpCallbacks = EvhttpCallbacks()

    /// Connections evhttp has taken over, by evhttp's connection object.
    @exclusivity(unchecked) private var connections: [OpaquePointer: Connection] = [:]
    /// The connection whose bytes were read last: evhttp parses a request in the read that
    /// brought its last bytes, so this is almost always the request's connection, found
    /// without a dictionary lookup.
    @exclusivity(unchecked) var lastScanned: Connection?
    /// Connections accepted in this loop pass, each holding a reference on its bufferevent.
    @exclusivity(unchecked) private var awaitingAdoption: [Connection] = []
    /// Connections whose refusal can be sent now (no reply of theirs in flight).
    @exclusivity(unchecked) private var refusalsDue: [Connection] = []
    /// Connections to free on the next pass (not from inside evhttp's own callbacks).
    @exclusivity(unchecked) private var closingSoon: [OpaquePointer] = []
    /// Runs the deferred work above ahead of I/O.
    @exclusivity(unchecked) private var housekeeping: OpaquePointer?
    /// Seconds since the tracker started: the clock of the deadlines, advanced by a timer.
    @exclusivity(unchecked) private var tick = 0

    /// How long a refused connection may linger (reading and dropping) before it is closed.
    static let lingerTicks = 2

    init(
        base: OpaquePointer, limits: HTTPLimits, counters: ConnectionCounters, rawReplies: RawReplies,
        keepsReadInterest: Bool, servesHTTP2: Bool
    ) {
        self.base = base
        self.keepsReadInterest = keepsReadInterest
        self.servesHTTP2 = servesHTTP2
        self.limits = limits
        self.counters = counters
        self.rawReplies = rawReplies
        housekeeping = event_new(base, -1, 0, housekeepingCallback, context)
        if let housekeeping { event_priority_set(housekeeping, EventLoop.urgentPriority) }
    }

    deinit {
        if let housekeeping { event_free(housekeeping) }
        for connection in awaitingAdoption { bufferevent_decref(connection.bufferevent) }
    }

    private var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    private func scheduleHousekeeping() {
        if let housekeeping { event_active(housekeeping, EV_TIMEOUT, 0) }
    }

    // MARK: Accept and close

    /// The bufferevent for a connection being accepted: evhttp's own kind (a socket bufferevent
    /// without close-on-free: evhttp closes the descriptor itself), its input watched.
    func newConnection() -> OpaquePointer? {
        let created = tls.map { ctls_accepting_bufferevent(base, $0.context) } ?? bufferevent_socket_new(base, -1, 0)
        guard let bufferevent = created else { return nil }
        bufferevent_incref(bufferevent)
        let connection = Connection(
            bufferevent: bufferevent, tracker: self, isTLS: tls != nil, maxHeadBytes: limits.maxHeaderBytes, tick: tick,
            trustedProxies: limits.proxyProtocolFrom, servesHTTP2: servesHTTP2)
        connection.watchInput()
        counters.openConnections += 1
        if counters.openConnections >= limits.maxConnections, let listener {
            // The listener checks this between accepts, so no connection beyond the cap is taken.
            evconnlistener_disable(listener)
            counters.acceptPauses += 1
        }
        awaitingAdoption.append(connection)
        scheduleHousekeeping()
        return bufferevent
    }

    private func adopt(_ connection: Connection) {
        defer { bufferevent_decref(connection.bufferevent) }
        var readCallback: bufferevent_data_cb?
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(connection.bufferevent, &readCallback, nil, nil, &argument)
        // evhttp frees a connection it could not set up at once, clearing the callbacks.
        guard readCallback != nil, let argument else {
            connection.stopWatchingInput()
            return connectionGone()
        }
        let evhttpConnection = OpaquePointer(argument)
        connection.adopted(by: evhttpConnection)
        connections[evhttpConnection] = connection
        evhttp_connection_set_closecb(evhttpConnection, connectionClosedCallback, context)
        if connection.refusal != nil { refusalsDue.append(connection) }
    }

    fileprivate func connectionClosed(_ evhttpConnection: OpaquePointer) {
        guard let connection = connections.removeValue(forKey: evhttpConnection) else { return }
        if lastScanned === connection { lastScanned = nil }
        if connection.isTLS && ctls_handshake_done(connection.bufferevent) == 0 { counters.tlsHandshakeFailures += 1 }
        connection.stopWatchingInput()
        if connection.isHandedOff { handedOffClosed?(connection) }  // its HTTP/2 side lets go
        connection.readInterest = nil  // frees its event now, before evhttp closes the socket
        connection.awaitsWrite = false  // its bufferevent is being freed
        connection.pending?.abandon()
        connection.pending = nil
        if connection.replyPending { replyFinished() }  // the peer went away before the reply was written
        connectionGone()
    }

    private func connectionGone() {
        counters.openConnections -= 1
        defer { onConnectionClosed?() }
        // Also undoes a pause after accept() failed for lack of descriptors (`acceptFailed`).
        if counters.openConnections < limits.maxConnections, let listener { evconnlistener_enable(listener) }
    }

    /// `connection` began with the HTTP/2 preface: an `HTTP2Connection` takes over its
    /// bufferevent with the bytes read so far. evhttp's connection stays allocated, idle (no
    /// timeout, no request), until the HTTP/2 side releases it (`releaseHandedOff`): freeing it
    /// shuts the socket down, so it cannot go earlier.
    func handOffToHTTP2(_ connection: Connection, initialBytes: [UInt8]) {
        // Adopted now if not yet: adoption reads evhttp's connection from the bufferevent's
        // callback argument, which the HTTP/2 side is about to replace.
        if connection.evhttpConnection == nil, let index = awaitingAdoption.firstIndex(where: { $0 === connection }) {
            awaitingAdoption.remove(at: index)
            adopt(connection)
        }
        connection.stopWatchingInput()
        connection.readInterest = nil
        connection.isHandedOff = true
        let peer = connection.peerAddress ?? SocketAddress.peer(of: bufferevent_getfd(connection.bufferevent))?.host
        startHTTP2?(connection, initialBytes, peer)
    }

    /// The HTTP/2 side of `connection` is done: evhttp's connection is freed at the next
    /// housekeeping, outside any of its callbacks.
    func releaseHandedOff(_ connection: Connection) {
        guard let evhttpConnection = connection.evhttpConnection else { return }
        closingSoon.append(evhttpConnection)
        scheduleHousekeeping()
    }

    // MARK: Replies

    /// Starts tracking `request`'s reply; returns its connection's record.
    func track(_ request: UnsafeMutablePointer<evhttp_request>) -> Connection? {
        counters.repliesInFlight += 1
        guard let evhttpConnection = evhttp_request_get_connection(request),
            let connection = lastScanned?.evhttpConnection == evhttpConnection
                ? lastScanned : connections[evhttpConnection]
        else {
            evhttp_request_set_on_complete_cb(request, untrackedReplyWrittenCallback, context)
            return nil
        }
        connection.replyPending = true
        // evhttp stops reading while it answers; the read interest keeps the socket registered
        // meanwhile. Made for the first request evhttp answers: a connection whose requests are
        // all answered directly never needs it (evhttp keeps reading), nor holds its memory. A
        // TLS bufferevent reads through OpenSSL, which may need the socket whatever evhttp wants.
        if keepsReadInterest && connection.readInterest == nil && !connection.isTLS && !connection.isHandedOff {
            connection.readInterest = ReadInterest(connection: connection, base: base)
        }
        // The record rides along as the completion's argument: evhttp completes a reply before
        // it can close the connection, and the record lives until the close.
        evhttp_request_set_on_complete_cb(
            request, replyWrittenCallback, Unmanaged.passUnretained(connection).toOpaque())
        return connection
    }

    /// Counts a reply made without evhttp (`answerDirectly`) until `DirectWrite` has written it.
    func trackDirect(_ connection: Connection) {
        counters.repliesInFlight += 1
        connection.replyPending = true
    }

    /// Undoes `trackDirect`: evhttp carries the reply after all, and `track` counts it.
    func untrackDirect(_ connection: Connection) {
        counters.repliesInFlight -= 1
        connection.replyPending = false
    }

    func replyWritten(on connection: Connection) {
        connection.replyPending = false
        if connection.readsPaused {  // a task's reply to a request read directly
            connection.readsPaused = false
            if !connection.closeAfterReply { bufferevent_enable(connection.bufferevent, Int16(EV_READ)) }
            // Its hang-up watch goes once reading is back: the socket stays registered.
            connection.pending?.stopWatching()
            connection.pending = nil
        }
        // evhttp wrote it itself: a later write-through would complete a reply not yet made.
        connection.awaitsWrite = false
        connection.windowStart = tick
        connection.readInterest?.resume()
        if connection.closeAfterReply, let evhttpConnection = connection.evhttpConnection {
            closingSoon.append(evhttpConnection)
            scheduleHousekeeping()
        } else if connection.refusal != nil {
            refusalsDue.append(connection)
            scheduleHousekeeping()
        }
        replyFinished()
    }

    fileprivate func untrackedReplyWritten() {
        replyFinished()
    }

    private func replyFinished() {
        counters.repliesInFlight -= 1
        // Only a drain waits for this; outside one, calling it would be a closure call per request.
        if counters.repliesInFlight == 0 && isDraining { onAllRepliesWritten?() }
    }

    // MARK: Refusals and deadlines

    /// Refuses `connection` (its input dropped but for whole requests ahead of the offending
    /// one): the refusal is sent once those are answered and no reply of its own is in flight,
    /// so replies keep their order.
    func refuse(_ connection: Connection, _ refusal: ConnectionRefusal) {
        guard connection.refusal == nil else { return }
        connection.refusal = refusal
        counters.refusals[refusal, default: 0] += 1
        if !connection.replyPending && !connection.hasUnparsedInput && connection.evhttpConnection != nil {
            refusalsDue.append(connection)
            scheduleHousekeeping()
        }
    }

    /// Called once a second: advances the clock, ends lingering refusals and enforces deadlines.
    func checkDeadlines() {
        tick += 1
        var expired: [(Connection, ConnectionRefusal)] = []
        for connection in connections.values {
            // HTTP/2 keeps its own time: evhttp's deadlines would close it between requests.
            if connection.isHandedOff { continue }
            if let since = connection.lingeringSince {
                if tick - since >= Self.lingerTicks, let evhttpConnection = connection.evhttpConnection {
                    closingSoon.append(evhttpConnection)
                }
                continue
            }
            // Strictly more ticks than `--timeout`, as for the deadlines below: a connection
            // accepted a moment before this tick has been quiet for a tick but no time.
            let quiet = connection.noteProgress(at: tick) > limits.idleTimeoutSeconds
            if connection.replyPending {
                if quiet, let evhttpConnection = connection.evhttpConnection {
                    // Nothing more reaches this client: closed without a reply, as evhttp's own
                    // write timeout did (freed below, after the walk).
                    counters.refusals[.writeTimeout, default: 0] += 1
                    responder?.transportRefused(.writeTimeout, peerAddress: connection.peerAddress)
                    closingSoon.append(evhttpConnection)
                }
                continue
            }
            guard connection.refusal == nil else { continue }
            // Whole ticks since the window began: strictly more than the deadline means at least
            // the deadline has passed (and at most a second more).
            let elapsed = tick - connection.windowStart
            if isDraining, connection.scanner.position == .betweenRequests, elapsed >= 1,
                let evhttpConnection = connection.evhttpConnection
            {
                closingSoon.append(evhttpConnection)
                continue
            }
            switch connection.scanner.position {
            case .betweenRequests where elapsed > limits.headerTimeoutSeconds || quiet:
                expired.append((connection, .idleTimeout))
            case .inHead where elapsed > limits.headerTimeoutSeconds:
                expired.append((connection, .headerTimeout))
            case .inHead where elapsed > limits.requestTimeoutSeconds, .inBody where elapsed > limits.requestTimeoutSeconds:
                expired.append((connection, .requestTimeout))
            case .inHead where quiet, .inBody where quiet:
                expired.append((connection, .readTimeout))
            default:
                break
            }
        }
        for (connection, refusal) in expired {
            connection.dropInput()
            refuse(connection, refusal)
        }
        closeConnectionsNow()
    }

    fileprivate func runHousekeeping() {
        let accepted = awaitingAdoption
        awaitingAdoption.removeAll(keepingCapacity: true)
        for connection in accepted { adopt(connection) }
        let due = refusalsDue
        refusalsDue.removeAll(keepingCapacity: true)
        for connection in due { sendRefusal(connection) }
        closeConnectionsNow()
    }

    /// Sends the refusal's reply straight to the socket (evhttp has nothing queued: no reply is
    /// in flight), stops sending, and lets the connection linger; an idle one is closed at once.
    private func sendRefusal(_ connection: Connection) {
        guard let refusal = connection.refusal, connection.lingeringSince == nil,
            let evhttpConnection = connection.evhttpConnection, connections[evhttpConnection] != nil
        else { return }
        // Requests kept ahead of the offending one are still to be answered: the refusal goes
        // after their replies (`replyWritten` brings it back here).
        guard !connection.replyPending && !connection.hasUnparsedInput else { return }
        responder?.transportRefused(refusal, peerAddress: connection.peerAddress)
        guard let status = refusal.status else {
            closingSoon.append(evhttpConnection)
            return
        }
        if connection.isTLS {
            // Through OpenSSL: queued on the bufferevent, written as the socket allows, and the
            // connection closed when the linger ends.
            let reply = Array(rawReplies.text(status).utf8)
            bufferevent_write(connection.bufferevent, reply, reply.count)
            bufferevent_enable(connection.bufferevent, Int16(EV_WRITE))
        } else {
            let socket = bufferevent_getfd(connection.bufferevent)
            rawReplies.send(status, to: socket)
            shutdown(socket, Int32(SHUT_WR))
        }
        connection.lingeringSince = tick
    }

    private func closeConnectionsNow() {
        let closing = closingSoon
        closingSoon.removeAll()
        // A connection the peer already closed is gone from `connections`; never free it twice.
        for evhttpConnection in closing where connections[evhttpConnection] != nil {
            evhttp_connection_free(evhttpConnection)
        }
    }
}

/// The listener's error callback: `accept()` failed. Out of descriptors, libevent would retry on
/// every loop pass (a busy loop); the listener pauses instead until a connection closes.
func acceptFailed(_ listener: OpaquePointer?, _: UnsafeMutableRawPointer?) {
    guard let listener, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno) else { return }
    evconnlistener_disable(listener)
}

private func housekeepingCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().runHousekeeping()
}

private func replyWrittenCallback(_: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // The record lives until the close, which evhttp makes only after this returns: no retain.
    Unmanaged<Connection>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.tracker.replyWritten(on: $0) }
}

private func untrackedReplyWrittenCallback(_: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().untrackedReplyWritten()
}

private func connectionClosedCallback(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let connection, let context else { return }
    Unmanaged<ConnectionTracker>.fromOpaque(context).takeUnretainedValue().connectionClosed(connection)
}

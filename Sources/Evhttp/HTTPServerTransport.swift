import CEvent
import HTTPCore
import EventServerSupport

#if canImport(Glibc)
import Glibc
#endif

/// HTTPServerTransport is one evhttp server on an `EventLoop`: it accepts connections, reads
/// requests into `Request` values, asks its responder, and writes the `Response` it gets.
///
/// Everything libevent-specific about serving HTTP lives here: evhttp's settings, the listener,
/// connection and reply tracking, the request reader and the one reply writer. Loop-confined.
public final class HTTPServerTransport {
    /// Connection and reply figures, for status and metrics.
    public let counters = ConnectionCounters()
    /// Whether accepting stopped (`stopAccepting()`): replies from now on close their connection.
    public var isDraining: Bool { tracker.isDraining }
    let loop: EventLoop
    private let http: OpaquePointer
    let tracker: ConnectionTracker
    /// `unowned(unsafe)`, no reference count touched per request: requests arrive only inside
    /// `EventLoop.run()`, and whoever runs the loop holds the responder across that call
    /// (`Server.run` keeps its dispatcher in a stored property until the loop returns). Neither
    /// owns the other.
    unowned(unsafe) let responder: any HTTPResponder
    @exclusivity(unchecked) private var boundSocket: OpaquePointer?
    @exclusivity(unchecked) var dateCache = HTTPDateCache()
    @exclusivity(unchecked) var contentLengths = ContentLengthCache()
    @exclusivity(unchecked) var replyHead: ReplyHead
    /// Writes a pass's replies within it (libevent 2.1's tuned path); nil: evhttp writes each
    /// reply in the next pass, as it does by itself.
    let batchedWrites: BatchedWrites?
    @exclusivity(unchecked) var passSplit = PassSplit()
    /// The last request's header list, reused for the next (`RequestReader.read`).
    @exclusivity(unchecked) var headerStorage = HTTPHeaders()
    /// The last head of a reply written without evhttp (`ReplyWriter.write`).
    @exclusivity(unchecked) var directHead = DirectReplyHead()
    /// A request read without evhttp whose response evhttp must send (a stream, a file, also
    /// when a task produced it): evhttp parses the same bytes at once and `handle` takes this
    /// instead of asking the responder again (`answerDirectly`, `finishDirectly`).
    @exclusivity(unchecked) var stashedReply: StashedReply?
    /// Gives each request an id (`--request-id`); nil: requests carry none.
    @exclusivity(unchecked) private var requestIDs: RequestIDs?
    /// Whether each request is stamped with the time it was handed up (the JSON access log).
    private let timesRequests: Bool
    /// Either of the two above: one test per request when both are off.
    let annotatesRequests: Bool
    /// Connections served as HTTP/2 (`HTTP2Connection`), by the tracker's record of the
    /// connection, held until they close.
    private var http2Connections: [ObjectIdentifier: HTTP2Connection] = [:]

    /// A transport on `loop` that answers through `responder` (held unowned: the responder
    /// owns the transport). `limits.maxConnections` is the connection cap already in force.
    /// `issuesRequestIDs`: each request gets an id, echoed as `X-Request-ID` (`RequestIDs`);
    /// `timesRequests`: each request carries the time it was handed up.
    public init(
        loop: EventLoop, limits: HTTPLimits, tls: TLSContext? = nil, issuesRequestIDs: Bool = false,
        timesRequests: Bool = false, servesHTTP2: Bool = false, responder: any HTTPResponder
    ) throws(TransportError) {
        guard let http = evhttp_new(loop.base) else { throw .eventLoop("evhttp_new failed") }
        self.loop = loop
        self.http = http
        self.responder = responder
        requestIDs = issuesRequestIDs ? RequestIDs() : nil
        self.timesRequests = timesRequests
        annotatesRequests = issuesRequestIDs || timesRequests
        let tuned = LibeventRuntime.current.usesTunedPaths
        batchedWrites = tuned ? BatchedWrites(base: loop.base) : nil
        replyHead = ReplyHead(joinsFields: tuned)
        tracker = ConnectionTracker(
            base: loop.base, limits: limits, counters: counters, rawReplies: RawReplies(loop: loop),
            keepsReadInterest: tuned, servesHTTP2: servesHTTP2)
        evhttp_set_max_headers_size(http, limits.maxHeaderBytes)
        evhttp_set_max_body_size(http, limits.maxBodyBytes)
        // No evhttp timeout: it would re-arm a timer on every read and write event (~900
        // instructions a request). `--timeout` is the tracker's once-a-second sweep instead.
        evhttp_set_timeout(http, -1)
        // Every method evhttp parses reaches the responder (404/405 with Allow): evhttp's own
        // 501 for CONNECT sends no length and never closes, so the client would hang.
        let methods = [EVHTTP_REQ_GET, EVHTTP_REQ_HEAD, EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                       EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        // ReplyHead joins Content-Type to the other fields, where evhttp cannot see it, and adds
        // the default itself; evhttp's own would be a second Content-Type.
        evhttp_set_default_content_type(http, nil)
        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(http, requestCallback, context)
        evhttp_set_bevcb(http, newConnectionCallback, context)
        tracker.responder = responder
        // Requests with no body (plain or TLS) are answered without evhttp's parser and
        // reply path (`answerDirectly`): their completion relies on libevent 2.1's internals,
        // as the batched writes do.
        if tuned { tracker.directResponder = self }
        if servesHTTP2 { tls?.offerHTTP2() }
        tracker.tls = tls
        tracker.startHTTP2 = { [unowned self, unowned tracker] connection, initialBytes, peerAddress in
            let http2 = HTTP2Connection(
                bufferevent: connection.bufferevent, transport: self, peerAddress: peerAddress, limits: limits,
                release: { [unowned tracker] in tracker.releaseHandedOff(connection) })
            http2Connections[ObjectIdentifier(connection)] = http2
            http2.key = ObjectIdentifier(connection)
            if !http2.start(with: initialBytes) { http2.close() }
        }
        tracker.handedOffClosed = { [unowned self] connection in
            http2Connections[ObjectIdentifier(connection)]?.abandon()
        }
        try loop.every(seconds: 1) { [unowned self, unowned tracker] in
            tracker.checkDeadlines()
            checkHTTP2Deadlines()
        }
    }

    deinit {
        tracker.listener = nil  // evhttp_free frees the listener before the connections it closes
        evhttp_free(http)
    }

    /// Listens on `host:port`; `sharedPort` lets this socket share the port with sibling
    /// workers (SO_REUSEPORT), which no other server can then do by accident.
    public func bind(host: String, port: Int, backlog: Int, sharedPort: Bool) throws(TransportError) -> BoundAddress {
        let (listener, address) = try Listener.bind(
            base: loop.base, host: host, port: port, backlog: backlog, sharedPort: sharedPort)
        try serve(listener)
        return address
    }

    /// Serves on `socket`, a socket already bound and listening (systemd's, or the one a
    /// replaced server handed over); the transport owns it from here.
    public func adopt(listeningSocket socket: Int32) throws(TransportError) -> BoundAddress {
        let (listener, address) = try Listener.adopt(base: loop.base, socket: socket)
        try serve(listener)
        return address
    }

    private func serve(_ listener: OpaquePointer) throws(TransportError) {
        guard let socket = evhttp_bind_listener(http, listener) else {
            evconnlistener_free(listener)
            throw .eventLoop("evhttp_bind_listener failed")
        }
        evconnlistener_set_error_cb(listener, acceptFailed)
        boundSocket = socket
        tracker.listener = listener
    }

    /// The listening socket's descriptor, to hand over to a replacing server; nil once
    /// accepting stopped.
    public var listeningDescriptor: Int32? {
        guard let boundSocket else { return nil }
        return evhttp_bound_socket_get_fd(boundSocket)
    }

    /// Whether connections are served over TLS.
    public var servesTLS: Bool { tracker.tls != nil }

    /// Serves new connections with `tls` (a reloaded certificate); open ones keep theirs.
    public func replaceTLS(_ tls: TLSContext) {
        if tracker.servesHTTP2 { tls.offerHTTP2() }
        tracker.tls = tls
    }

    /// Called whenever a connection closes (for a drain that waits for every connection).
    public var onConnectionClosed: (() -> Void)? {
        get { tracker.onConnectionClosed }
        set { tracker.onConnectionClosed = newValue }
    }

    /// Called whenever the replies in flight drop to zero while draining (`stopAccepting()`).
    public var onAllRepliesWritten: (() -> Void)? {
        get { tracker.onAllRepliesWritten }
        set { tracker.onAllRepliesWritten = newValue }
    }

    /// Closes the listening socket; replies from now on carry `Connection: close`, and
    /// connections idle for a second are closed, so the drain ends when every connection has.
    public func stopAccepting() {
        for connection in http2Connections.values { connection.goAway() }
        tracker.isDraining = true
        tracker.listener = nil
        if let boundSocket {
            evhttp_del_accept_socket(http, boundSocket)
            self.boundSocket = nil
        }
    }

    /// HTTP/2 connections keep HTTP/1.1's deadlines per stream (`HTTP2Connection.checkDeadlines`).
    private func checkHTTP2Deadlines() {
        guard !http2Connections.isEmpty else { return }
        let now = loop.cachedUnixSeconds
        for connection in Array(http2Connections.values) { connection.checkDeadlines(now: now) }
    }

    /// An HTTP/2 stream or connection was refused by a deadline: counted and logged as HTTP/1.1's.
    func http2Refused(_ refusal: ConnectionRefusal, peerAddress: String?) {
        counters.refusals[refusal, default: 0] += 1
        responder.transportRefused(refusal, peerAddress: peerAddress)
    }

    /// An HTTP/2 connection closed: it is let go, and a drain waiting for it may end.
    func http2ConnectionClosed(_ connection: HTTP2Connection) {
        if let key = connection.key { http2Connections.removeValue(forKey: key) }
    }

    fileprivate func newConnection() -> OpaquePointer? {
        tracker.newConnection()
    }

    fileprivate func handle(_ cRequest: UnsafeMutablePointer<evhttp_request>) {
        let connection = tracker.track(cRequest)
        if let stashed = stashedReply {
            stashedReply = nil
            if stashed.connection === connection {
                return answer(stashed.request, with: stashed.response, to: cRequest, on: connection)
            }
        }
        var request = RequestReader.read(cRequest, peerAddress: connection?.peerAddress, headerStorage: &headerStorage)
        if annotatesRequests { annotate(&request, on: connection) }
        if request.method == .connect { connection?.closeAfterReply = true }
        answer(request, with: responder.respond(to: request), to: cRequest, on: connection)
    }

    private func answer(
        _ request: Request, with response: Response, to cRequest: UnsafeMutablePointer<evhttp_request>,
        on connection: Connection?
    ) {
        let closeConnection = isDraining || request.method == .connect
        if response.deferred != nil || response.stream != nil {
            return answerLater(response, to: request, cRequest, on: connection, closeConnection: closeConnection)
        }
        send(
            response, to: cRequest, method: request.method, closeConnection: closeConnection, on: connection,
            requestID: annotatesRequests ? request.requestID : nil)
    }

    /// Gives `request` its id (the one a trusted balancer sent, if sane, or a new one) and the
    /// time it was handed up, as configured.
    func annotate(_ request: inout Request, on connection: Connection?) {
        if requestIDs != nil {
            let offered = connection?.isFromTrustedProxy == true ? request.headers["X-Request-ID"] : nil
            request.requestID = requestIDs?.id(offered: offered)
        }
        if timesRequests { request.receivedAtMicroseconds = MonotonicClock.microseconds() }
    }

    /// Writes `response` for `cRequest` and starts it on its way. After this, evhttp may have
    /// freed the request and the connection (the reply's completion may run inside): callers
    /// touch neither. `requestID` is echoed as `X-Request-ID`, an entry of its own: the
    /// response's fields, and their joined entry (`ReplyHead`), stay the same reply after reply.
    func send(
        _ response: Response, to cRequest: UnsafeMutablePointer<evhttp_request>, method: HTTPMethod,
        closeConnection: Bool, on connection: Connection?, requestID: String? = nil
    ) {
        ReplyWriter.send(
            response, to: cRequest, method: method, closeConnection: closeConnection, requestID: requestID,
            date: dateCache.value(at: loop.cachedUnixSeconds), head: &replyHead, lengths: &contentLengths)
        guard let connection else { return }
        // TLS connections write through OpenSSL, as their bufferevent schedules it.
        if connection.isTLS {
            TLSRecords.coalesce(connection.bufferevent)
        } else {
            batchedWrites?.queue(connection)
        }
        if passSplit.answeredOne(openConnections: counters.openConnections) {
            batchedWrites?.writeAll()  // or the batch's replies would wait for the rest of the pass
            loop.pollBeforeNextCallback()
        }
    }
}

private func requestCallback(_ request: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    // The transport outlives its evhttp server: no retain around the call.
    Unmanaged<HTTPServerTransport>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.handle(request) }
}

private func newConnectionCallback(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let context else { return nil }
    return Unmanaged<HTTPServerTransport>.fromOpaque(context).takeUnretainedValue().newConnection()
}

import CEvent
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Server is one single-threaded evhttp server: one loop, one route table, one maintenance flag.
///
/// Loop-confined and not `Sendable`: build it, register routes, then call `run()`, which serves
/// on the calling thread until a stop signal. Every request passes through
/// `ErrorRenderer ∘ middleware ∘ MaintenanceGate ∘ RouteTable`, built once when `run()` starts.
public final class Server {
    public let configuration: ServerConfiguration
    /// The maintenance flag that signals flip and the gate reads.
    public let maintenance: MaintenanceState
    /// Counters for status and metrics routes.
    public let statistics = ServerStatistics()
    /// The routes; register into them (or through `register(_:)`) before `run()`.
    public let routes = RouteTable()
    /// Middleware around the gate, outermost first.
    public var middleware: [any Middleware] = []
    /// What gated requests get during maintenance; its page is reloaded on SIGHUP.
    public let maintenanceResponder: MaintenanceResponder

    let logger: Logger
    let stateFile: StateFile?
    let notifier = SystemdNotifier()
    var accessLog: AccessLog?
    var loop: EventLoop?
    var http: OpaquePointer?
    var boundSocket: OpaquePointer?
    var isStopping = false
    private var connections: ConnectionTracker!
    private var rootHandler: ErrorRenderer?
    private var dateCache = HTTPDateCache()
    /// Owned here and freed after the evhttp object that points to it (see `configure`).
    private let defaultContentType = strdup("text/plain; charset=utf-8")

    deinit {
        free(defaultContentType)
    }

    /// Creates a server; throws when the configuration is invalid or a file it names unusable.
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "eventserver")) throws {
        try Self.validate(configuration)
        self.configuration = configuration
        self.logger = logger
        let page = try configuration.maintenancePagePath.map {
            try MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds, htmlFile: $0)
        } ?? MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds)
        maintenanceResponder = MaintenanceResponder(
            page: page, pagePath: configuration.maintenancePagePath,
            redirectLocation: configuration.maintenanceRedirect, allowedPeers: configuration.maintenanceAllow)
        stateFile = configuration.stateFilePath.map(StateFile.init(path:))
        maintenance = Self.initialState(configuration, stateFile, logger)
        accessLog = try configuration.accessLogPath.map(AccessLog.init(path:))
    }

    /// Registers a module's routes; conflicts throw.
    public func register(_ module: any RouteModule) throws {
        try routes.register(module)
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully and returns.
    ///
    /// Signal events are registered before the socket is bound, so a USR1 that arrives as soon
    /// as the port answers can never kill the process with the signal's default action; the pid
    /// file is written only after both (unless `claimingPIDFile` is false: a worker's master
    /// owns it).
    public func run(claimingPIDFile: Bool = true) throws {
        signal(SIGPIPE, SIG_IGN)
        let gate = MaintenanceGate(state: maintenance, responder: maintenanceResponder, routes: routes)
        rootHandler = ErrorRenderer(wrapping: middleware.wrapping(gate.wrap(routes)), logger: logger)
        let loop = try EventLoop()
        self.loop = loop
        defer { self.loop = nil }
        connections = ConnectionTracker(base: loop.base, statistics: statistics)
        for binding in configuration.signalActions {
            try loop.onSignal(binding.signal) { [unowned self] in self.perform(binding.action, for: binding.signal) }
        }
        if let accessLog {
            try loop.every(seconds: 1) { accessLog.flush() }
        }
        guard let http = evhttp_new(loop.base) else { throw ServerError.eventLoop("evhttp_new failed") }
        self.http = http
        defer {
            evhttp_free(http)
            self.http = nil
        }
        configure(http)
        let connectionCap = ConnectionLimit.apply(maxConnections: configuration.maxConnections, logger: logger)
        let bound = try Listener.bind(
            base: loop.base, host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        guard let socket = evhttp_bind_listener(http, bound.listener) else {
            evconnlistener_free(bound.listener)
            throw ServerError.eventLoop("evhttp_bind_listener failed")
        }
        boundSocket = socket
        ConnectionLimit.guardAccepting(on: bound.listener)
        defer { ConnectionLimit.stopGuarding() }
        let pidFile = claimingPIDFile ? configuration.pidFilePath.map(PIDFile.init(path:)) : nil
        try pidFile?.claim()
        defer { pidFile?.release() }
        try recordState()
        logger.info(
            "eventserver \(EventServerVersion.current) pid \(getpid()) listening on \(bound.url)",
            metadata: ["maintenance": "\(maintenance.isActive)", "max_connections": "\(connectionCap)"])
        notifier.notify("READY=1\nSTATUS=\(stateSummary)\nMAINPID=\(getpid())")
        connections.onAllRepliesWritten = { [unowned self] in
            if isStopping { self.loop?.stop() }
        }
        try loop.run()
        accessLog?.flush()
        logger.info("stopped", metadata: ["requests": "\(statistics.requestsReceived)"])
    }

    private func configure(_ http: OpaquePointer) {
        evhttp_set_max_headers_size(http, configuration.maxHeaderBytes)
        evhttp_set_max_body_size(http, configuration.maxBodyBytes)
        evhttp_set_timeout(http, Int32(clamping: configuration.timeoutSeconds))
        // Every method evhttp parses reaches the route table (404/405 with Allow): evhttp's own
        // 501 for CONNECT sends no length and never closes, so the client would hang.
        let methods = [EVHTTP_REQ_GET, EVHTTP_REQ_HEAD, EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                       EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        // evhttp keeps this pointer rather than copying the text (found by AddressSanitizer: a
        // Swift string's temporary C string dangled), so it must outlive the evhttp object.
        evhttp_set_default_content_type(http, defaultContentType)
        evhttp_set_gencb(http, serverRequestCallback, Unmanaged.passUnretained(self).toOpaque())
    }

    // MARK: Requests

    fileprivate func handle(_ cRequest: UnsafeMutablePointer<evhttp_request>) {
        statistics.requestsReceived += 1
        connections.track(cRequest)
        let request = try? RequestReader.read(cRequest)
        let response: Response
        var closeConnection = isStopping
        if let request {
            response = rootHandler?.respond(to: request) ?? Self.internalError
            if request.method == .connect {
                closeConnection = true
                connections.closeAfterReply(cRequest)
            }
        } else {
            // A request evhttp accepted but we refuse (smuggling shapes, no Host): closing keeps
            // evhttp from parsing the leftover bytes as another request.
            response = Self.badRequest
            closeConnection = true
        }
        let now = loop?.cachedUnixSeconds ?? time(nil)
        let isHead = request?.method == .head
        statistics.recordResponse(response.status)
        accessLog?.record(
            request, peer: request?.peerAddress ?? RequestReader.peerAddress(of: cRequest), status: response.status.code,
            bytes: isHead ? 0 : response.contentLength, now: now)
        ReplyWriter.send(
            response, to: cRequest, method: request?.method, closeConnection: closeConnection, date: dateCache.value(at: now))
    }

    // MARK: Constants

    private static let badRequest = Response.text("Bad Request\n", status: .badRequest)
    private static let internalError = Response.text("Internal Server Error\n", status: .internalServerError)

    private static func validate(_ configuration: ServerConfiguration) throws {
        let positive: [(String, Int)] = [
            ("backlog", configuration.backlog), ("max connections", configuration.maxConnections),
            ("max header bytes", configuration.maxHeaderBytes),
            ("max body bytes", configuration.maxBodyBytes), ("timeout", configuration.timeoutSeconds),
        ]
        for (name, value) in positive where value <= 0 {
            throw ServerError.invalidConfiguration("\(name) must be positive, got \(value)")
        }
        if configuration.shutdownTimeoutSeconds < 0 || configuration.retryAfterSeconds < 0 {
            throw ServerError.invalidConfiguration("timeouts must not be negative")
        }
    }
}

private func serverRequestCallback(_ request: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().handle(request)
}

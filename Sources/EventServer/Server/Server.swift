import CEvent
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Server is one single-threaded evhttp server: one loop, one route table, one maintenance flag.
///
/// Loop-confined and not `Sendable`: build it, register routes, then call `run()`, which serves
/// on the calling thread until a stop signal. Every request passes through
/// `middleware ∘ MaintenanceGate ∘ RouteTable`, built once when `run()` starts.
public final class Server {
    public let configuration: ServerConfiguration
    /// The maintenance flag that signals flip and the gate reads.
    public let maintenance: MaintenanceState
    /// Counters for status and health routes.
    public let statistics = ServerStatistics()
    /// The routes; register into it (or through `register(_:)`) before `run()`.
    public let routes = RouteTable()
    /// Middleware around the gate, outermost first.
    public var middleware: [any Middleware] = []
    /// Called once the listener is bound, with its URL (e.g. to print the chosen port).
    public var onListening: ((String) -> Void)?

    private let logger: Logger
    private let maintenancePage: MaintenancePage
    private var rootHandler: ErrorRenderer?
    private var loop: EventLoop?
    private var http: OpaquePointer?
    private var boundSocket: OpaquePointer?
    private var isStopping = false
    private var dateCache = HTTPDateCache()

    /// Creates a server; throws when the configuration is invalid or the page file unreadable.
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "eventserver")) throws {
        try Self.validate(configuration)
        self.configuration = configuration
        self.logger = logger
        maintenance = MaintenanceState(active: configuration.startInMaintenance)
        if let path = configuration.maintenancePagePath {
            maintenancePage = try MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds, htmlFile: path)
        } else {
            maintenancePage = MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds)
        }
    }

    /// Registers a module's routes; conflicts throw.
    public func register(_ module: any RouteModule) throws {
        try routes.register(module)
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully and returns.
    ///
    /// Signal events are registered before the socket is bound, so a USR1 that arrives as soon
    /// as the port answers can never kill the process with the signal's default action.
    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let gate = MaintenanceGate(state: maintenance, page: maintenancePage, routes: routes)
        rootHandler = ErrorRenderer(wrapping: middleware.wrapping(gate.wrap(routes)), logger: logger)
        let loop = try EventLoop()
        self.loop = loop
        defer { self.loop = nil }
        for binding in configuration.signalActions {
            try loop.onSignal(binding.signal) { [unowned self] in self.perform(binding.action, for: binding.signal) }
        }
        guard let http = evhttp_new(loop.base) else { throw ServerError.eventLoop("evhttp_new failed") }
        self.http = http
        defer {
            evhttp_free(http)
            self.http = nil
        }
        configure(http)
        let bound = try Listener.bind(
            base: loop.base, host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        guard let socket = evhttp_bind_listener(http, bound.listener) else {
            evconnlistener_free(bound.listener)
            throw ServerError.eventLoop("evhttp_bind_listener failed")
        }
        boundSocket = socket
        logger.info(
            "eventserver \(EventServerVersion.current) pid \(getpid()) listening on \(bound.url)",
            metadata: ["maintenance": "\(maintenance.isActive)"])
        onListening?(bound.url)
        try loop.run()
        logger.info("stopped", metadata: ["requests": "\(statistics.requestsReceived)"])
    }

    private func configure(_ http: OpaquePointer) {
        evhttp_set_max_headers_size(http, configuration.maxHeaderBytes)
        evhttp_set_max_body_size(http, configuration.maxBodyBytes)
        evhttp_set_timeout(http, Int32(clamping: configuration.timeoutSeconds))
        let methods = [EVHTTP_REQ_GET, EVHTTP_REQ_HEAD, EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
                       EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH]
        evhttp_set_allowed_methods(http, UInt16(methods.reduce(0) { $0 | $1.rawValue }))
        evhttp_set_default_content_type(http, "text/plain; charset=utf-8")
        evhttp_set_gencb(http, serverRequestCallback, Unmanaged.passUnretained(self).toOpaque())
    }

    // MARK: Requests

    fileprivate func handle(_ cRequest: UnsafeMutablePointer<evhttp_request>) {
        statistics.requestsReceived += 1
        trackUntilWritten(cRequest)
        let response: Response
        var closeConnection = isStopping
        var isHead = false
        do {
            let request = try RequestReader.read(cRequest)
            isHead = request.method == .head
            response = rootHandler?.respond(to: request) ?? Self.internalError
        } catch {
            response = Self.badRequest
            closeConnection = true
        }
        ReplyWriter.send(
            response, to: cRequest, isHead: isHead, closeConnection: closeConnection,
            date: dateCache.value(at: loop?.cachedUnixSeconds ?? time(nil)))
    }

    /// Counts a reply as in flight until evhttp has written it or its connection died, so a
    /// graceful stop knows when nothing is left to finish.
    private func trackUntilWritten(_ request: UnsafeMutablePointer<evhttp_request>) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        statistics.repliesInFlight += 1
        evhttp_request_set_on_complete_cb(request, replyWrittenCallback, context)
        evhttp_connection_set_closecb(evhttp_request_get_connection(request), connectionLostCallback, context)
    }

    fileprivate func replyFinished(_ connection: OpaquePointer?, written: Bool) {
        statistics.repliesInFlight -= 1
        if written { evhttp_connection_set_closecb(connection, nil, nil) }
        if isStopping && statistics.repliesInFlight == 0 { loop?.stop() }
    }

    // MARK: Signals

    private func perform(_ action: SignalAction, for signal: Int32) {
        let name = SignalBinding.name(of: signal)
        switch action {
        case .enterMaintenance:
            if maintenance.enter() { logger.notice("entered maintenance", metadata: ["signal": "\(name)"]) }
        case .leaveMaintenance:
            if maintenance.leave() { logger.notice("left maintenance", metadata: ["signal": "\(name)"]) }
        case .reload:
            logger.info("reload requested; nothing to reload", metadata: ["signal": "\(name)"])
        case .stop:
            beginStop(after: name)
        }
    }

    private func beginStop(after signalName: String) {
        guard !isStopping else {
            logger.warning("second stop signal: closing now", metadata: ["signal": "\(signalName)"])
            loop?.stop()
            return
        }
        isStopping = true
        if let http, let boundSocket {
            evhttp_del_accept_socket(http, boundSocket)
            self.boundSocket = nil
        }
        let inFlight = statistics.repliesInFlight
        logger.notice("stopping", metadata: ["signal": "\(signalName)", "replies_in_flight": "\(inFlight)"])
        guard inFlight > 0 else {
            loop?.stop()
            return
        }
        let timeout = configuration.shutdownTimeoutSeconds
        do {
            try loop?.after(seconds: timeout) { [unowned self] in
                logger.warning("shutdown timeout: closing \(statistics.repliesInFlight) unfinished replies")
                loop?.stop()
            }
        } catch {
            loop?.stop()
        }
    }

    // MARK: Constants

    private static let badRequest = Response.text("Bad Request\n", status: .badRequest)
    private static let internalError = Response.text("Internal Server Error\n", status: .internalServerError)

    private static func validate(_ configuration: ServerConfiguration) throws {
        let positive: [(String, Int)] = [
            ("backlog", configuration.backlog), ("max header bytes", configuration.maxHeaderBytes),
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

private func replyWrittenCallback(_ request: UnsafeMutablePointer<evhttp_request>?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let connection = request.flatMap { evhttp_request_get_connection($0) }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().replyFinished(connection, written: true)
}

private func connectionLostCallback(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().replyFinished(connection, written: false)
}

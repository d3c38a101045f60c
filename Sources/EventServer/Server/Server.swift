import EventServerSupport
import HTTPCore
import Logging
import Maintenance
import Routing
internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// Server is one single-threaded HTTP server: one loop, one route table, one maintenance flag.
///
/// Loop-confined and not `Sendable`: build it, register routes, then call `run()`, which serves
/// on the calling thread until a stop signal. Every request passes through
/// `ErrorRenderer ∘ middleware ∘ GatedRoutes` (one route lookup, the maintenance gate, the
/// route), built once when `run()` starts; the transport (`Evhttp`) reads requests and writes
/// replies.
public final class Server {
    /// The settings the server was created with.
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
    var transport: HTTPServerTransport?
    var isStopping = false
    /// Set between the first stop signal and the end of `--shutdown-delay`.
    var isDelayingStop = false
    /// Set once a replacing process took over: the pid file and the control path are its own.
    var handedOver = false
    private var dispatcher: RequestDispatcher?
    /// What `ctl upgrade`'s new process received from the server it replaces.
    private var takenOver: TakenOver?
    var controlSocket: ControlSocket?
    /// The certificate served, when the configuration names one.
    var tls: TLSContext?

    /// Creates a server; throws when the configuration is invalid or a file it names unusable.
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "eventserver")) throws {
        try configuration.validate()
        if configuration.bootstrapsMetrics { ModuleMetrics.bootstrap() }
        self.configuration = configuration
        self.logger = logger
        let page = try configuration.maintenancePagePath.map {
            try MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds, htmlFile: $0)
        } ?? MaintenancePage(retryAfterSeconds: configuration.retryAfterSeconds)
        maintenanceResponder = MaintenanceResponder(
            page: page, pagePath: configuration.maintenancePagePath,
            redirectLocation: configuration.maintenanceRedirect, allowedPeers: configuration.maintenanceAllow)
        stateFile = configuration.stateFilePath.map(StateFile.init(path:))
        accessLog = try configuration.accessLogPath.map { try AccessLog(path: $0, format: configuration.accessLogFormat) }
        if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            tls = try TLSContext(
                certificatePath: certificate, keyPath: key, profile: configuration.tlsProfile,
                sessionTicketKey: configuration.tlsSessionTicketKey)
        }
        maintenance = Self.initialState(configuration, stateFile, logger)
    }

    /// Serves on the sockets a replaced server handed over (`ctl upgrade`), in its maintenance
    /// state; call before `run()`. The first socket is served, any others are closed.
    public func takeOver(_ takenOver: TakenOver) {
        self.takenOver = takenOver
        maintenance.restore(takenOver.maintenance)
        // The old process's clients resume their TLS sessions here.
        if let key = takenOver.sessionTicketKey { tls?.useSessionTicketKey(key) }
    }

    /// Registers a module's routes; conflicts throw.
    public func register(_ module: any RouteModule) throws {
        try routes.register(module)
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully and returns.
    ///
    /// Signal events are registered before the socket is bound, so a USR1 that arrives as soon
    /// as the port answers can never kill the process with the signal's default action; the pid
    /// file is written only after both. A worker serves the listening socket its master gives it
    /// (`listeningSocket`) and leaves the pid file to its master;
    /// `onListening` runs once the server listens.
    public func run(asWorker: Bool = false, listeningSocket: Int32? = nil, onListening: () -> Void = {}) throws {
        signal(SIGPIPE, SIG_IGN)
        let gate = MaintenanceGate(state: maintenance, responder: maintenanceResponder)
        let loop = try EventLoop()
        self.loop = loop
        defer { self.loop = nil }
        for binding in configuration.signalActions {
            try loop.onSignal(binding.signal) { [unowned self] in self.perform(binding.action, for: binding.signal) }
        }
        if let accessLog {
            try loop.every(seconds: 1) { accessLog.flush() }
        }
        let connectionCap = DescriptorLimit.apply(maxConnections: configuration.maxConnections)
        if connectionCap < configuration.maxConnections {
            logger.warning("descriptor limit allows only \(connectionCap) connections", metadata: ["max_connections": "\(configuration.maxConnections)"])
        }
        var limits = configuration.limits
        limits.maxConnections = connectionCap
        let dispatcher = RequestDispatcher(
            root: ErrorRenderer(wrapping: middleware.wrapping(GatedRoutes(routes: routes, gate: gate)), logger: logger),
            statistics: statistics, accessLog: accessLog, maintenance: maintenance, loop: loop)
        self.dispatcher = dispatcher
        defer { self.dispatcher = nil }
        let transport = try HTTPServerTransport(
            loop: loop, limits: limits, tls: tls, issuesRequestIDs: configuration.requestIDs,
            timesRequests: accessLog?.format == .json, servesHTTP2: configuration.http2, responder: dispatcher)
        self.transport = transport
        statistics.connections = transport.counters
        defer { self.transport = nil }
        let bound = try listen(transport, asWorker: asWorker, listeningSocket: listeningSocket)
        let pidFile = asWorker ? nil : configuration.pidFilePath.map(PIDFile.init(path:))
        // A replacing process writes the pid file only once it serves and listens for the next
        // upgrade (`ctl upgrade` waits for it); until then the file names the running server.
        if takenOver == nil { try pidFile?.claim() }
        // After a handover the file is the new process's, even before it has written its pid.
        defer { if !handedOver { pidFile?.release() } }
        try recordState()
        let libevent = LibeventRuntime.current
        for warning in libevent.warnings { logger.warning("\(warning)") }
        logger.info(
            "eventserver \(EventServerVersion.current) pid \(getpid()) listening on \(tls == nil ? bound.url : bound.secureURL)",
            metadata: [
                "maintenance": "\(maintenance.isActive)", "max_connections": "\(connectionCap)",
                "libevent": "\(libevent.summary)",
            ])
        let replacing = takenOver != nil
        if let takenOver {
            takenOver.confirm()
            self.takenOver = nil
        }
        if let pidFile {
            controlSocket = try ControlSocket(
                forPIDFile: pidFile.path, loop: loop,
                offer: { [unowned self] in takeoverOffer() }, onReady: { [unowned self] in handOver(to: $0) })
        }
        defer { controlSocket?.close(removingPath: !handedOver) }
        if replacing { try pidFile?.claim(replacingRunningServer: true) }
        notifier.notify("READY=1\nSTATUS=\(stateSummary)\nMAINPID=\(getpid())")
        onListening()
        transport.onAllRepliesWritten = { [unowned self] in stopIfDrained() }
        transport.onConnectionClosed = { [unowned self] in stopIfDrained() }
        try loop.run()
        accessLog?.flush()
        logger.info("stopped", metadata: ["requests": "\(statistics.requestsReceived)"])
    }

    /// The listening socket: handed over by the server this one replaces, given by a worker's
    /// master or by systemd, or bound here.
    private func listen(_ transport: HTTPServerTransport, asWorker: Bool, listeningSocket: Int32?) throws -> BoundAddress {
        if let takenOver {
            let bound = try transport.adopt(listeningSocket: takenOver.listeningSockets[0])
            for extra in takenOver.listeningSockets.dropFirst() { close(extra) }
            takenOver.adoptOutput()
            return bound
        }
        if let given = listeningSocket ?? SocketActivation.inherited {
            return try transport.adopt(listeningSocket: given)
        }
        return try transport.bind(
            host: configuration.host, port: configuration.port, backlog: configuration.backlog, sharedPort: asWorker)
    }
}

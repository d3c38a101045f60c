import ArgumentParser
import EventServer
import Logging
import Routes

/// ServeOptions are the flags that describe a server: shared by `serve` and `routes`, so the
/// listing shows exactly what `serve` would run.
struct ServeOptions: ParsableArguments {
    /// Every default comes from the library's configuration, so the two cannot disagree.
    private static let defaults = ServerConfiguration()

    @Option(help: "Address to listen on (IPv4 or IPv6).")
    var host = Self.defaults.host

    @Option(help: "TCP port; 0 picks a free port and logs it.")
    var port = Self.defaults.port

    @Option(help: "Listen backlog.")
    var backlog = Self.defaults.backlog

    @Option(help: "Open connections at most; beyond it accepting pauses until one closes.")
    var maxConnections = Self.defaults.maxConnections

    @Option(help: "Largest request line plus headers, in bytes.")
    var maxHeaderBytes = Self.defaults.maxHeaderBytes

    @Option(help: "Largest request body, in bytes.")
    var maxBodyBytes = Self.defaults.maxBodyBytes

    @Option(help: "Seconds before a connection with no traffic either way is closed.")
    var timeout = Self.defaults.timeoutSeconds

    @Option(help: "Seconds from accept (or the previous reply) until a request's headers must have arrived.")
    var headerTimeout = Self.defaults.headerTimeoutSeconds

    @Option(help: "Seconds from the same start until the whole request, body included, must have arrived.")
    var requestTimeout = Self.defaults.requestTimeoutSeconds

    @Option(help: "Seconds a graceful stop waits for in-flight replies.")
    var shutdownTimeout = Self.defaults.shutdownTimeoutSeconds

    @Option(help: "Seconds after SIGTERM during which /readyz answers 503 and the server keeps accepting; then the graceful stop.")
    var shutdownDelay = Self.defaults.shutdownDelaySeconds

    @Option(help: "Retry-After seconds on maintenance replies.")
    var retryAfter = Self.defaults.retryAfterSeconds

    @Option(help: "HTML file served as the maintenance page.")
    var maintenancePage: String?

    @Flag(help: "Start in maintenance.")
    var maintenance = false

    @Option(help: "During maintenance, redirect GET and HEAD (307) to this URL instead of the 503 page.")
    var maintenanceRedirect: String?

    @Option(help: ArgumentHelp("Peers in this CIDR block are served normally during maintenance (repeatable).", valueName: "cidr"))
    var maintenanceAllow: [String] = []

    @Option(help: ArgumentHelp(
        "Balancers in this CIDR block must begin each connection with a PROXY header (v1 or v2); "
            + "its source address is the client's (repeatable). Others must not send one.",
        valueName: "cidr"))
    var proxyProtocolFrom: [String] = []

    @Option(help: "Write the pid here once listening; removed on a clean exit.")
    var pidFile: String?

    @Option(help: "Keep the maintenance state here, so a restart keeps it.")
    var stateFile: String?

    @Option(help: "Combined Log Format access log; - for standard output. Off when not given.")
    var accessLog: String?

    @Option(help: "Access log line format: combined (Combined Log Format) or json (one object a line).")
    var accessLogFormat = AccessLogFormat.combined

    @Option(help: ArgumentHelp(
        "Serve HTTP/2: with prior knowledge on the plain port (h2c), by ALPN over TLS. on or off.",
        valueName: "on|off"))
    var http2 = Switch.on

    @Flag(help: "Give each request an id: a trusted balancer's X-Request-ID (from a --proxy-protocol-from peer) or one made here; echoed as X-Request-ID and logged.")
    var requestId = false

    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain allowed): serve HTTPS, with --tls-key; HUP re-reads both.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(
        name: .customLong("tls-profile"),
        help: ArgumentHelp(
            "Mozilla's TLS profile: intermediate (TLS 1.2 with ECDHE and AEAD suites, and TLS 1.3) or modern (TLS 1.3 only); groups X25519, P-256, P-384.",
            valueName: "intermediate|modern"))
    var tlsProfile = TLSProfile.intermediate

    @Option(help: "Folder of static files to serve (off when not given).")
    var root: String?

    @Option(help: "URL prefix the static files are served under.")
    var staticPrefix = "/static"

    @Option(help: ArgumentHelp("Worker processes sharing the port: a number, or auto (one per CPU).", valueName: "n|auto"))
    var workers: WorkerCount = .count(1)

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    var configuration: ServerConfiguration {
        get throws {
            var settings = ServerConfiguration()
            settings.host = host
            settings.port = port
            settings.backlog = backlog
            settings.maxConnections = maxConnections
            settings.maxHeaderBytes = maxHeaderBytes
            settings.maxBodyBytes = maxBodyBytes
            settings.timeoutSeconds = timeout
            settings.headerTimeoutSeconds = headerTimeout
            settings.requestTimeoutSeconds = requestTimeout
            settings.shutdownTimeoutSeconds = shutdownTimeout
            settings.shutdownDelaySeconds = shutdownDelay
            settings.retryAfterSeconds = retryAfter
            settings.maintenancePagePath = maintenancePage
            settings.startInMaintenance = maintenance
            settings.maintenanceRedirect = maintenanceRedirect
            settings.maintenanceAllow = try maintenanceAllow.map(AddressRange.init)
            settings.proxyProtocolFrom = try proxyProtocolFrom.map(AddressRange.init)
            settings.pidFilePath = pidFile
            settings.stateFilePath = stateFile
            settings.accessLogPath = accessLog
            settings.accessLogFormat = accessLogFormat
            settings.requestIDs = requestId
            settings.http2 = http2 == .on
            settings.tlsCertificatePath = tlsCertificate
            settings.tlsKeyPath = tlsKey
            settings.tlsProfile = tlsProfile
            settings.tlsSessionTicketKey = tlsCertificate == nil ? nil : Self.sessionTicketKey
            return settings
        }
    }

    /// This process's session ticket key, drawn once: the master draws it before it forks, so
    /// every worker of the group seals tickets with it and resumes the others' sessions; a
    /// process started by `ctl upgrade` takes the old one's (`ServeCommand`, on the main thread,
    /// before any worker forks).
    nonisolated(unsafe) static var sessionTicketKey: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<80).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }()

    /// A server with the stock modules registered: greeting, probes, status, metrics, static files.
    /// A worker (`asWorker`) keeps no state file: its master writes it, the one writer.
    func makeServer(
        port: Int? = nil, startInMaintenance: Bool? = nil, notice: MaintenanceNotice? = nil, asWorker: Bool = false
    ) throws -> Server {
        var settings = try configuration
        if asWorker { settings.stateFilePath = nil }
        if let port { settings.port = port }
        if let startInMaintenance { settings.startInMaintenance = startInMaintenance }
        settings.startNotice = notice
        let server = try Server(configuration: settings)
        try server.register(GreetingRoutes())
        try server.register(HealthRoutes(maintenance: server.maintenance))
        try server.register(StatusRoutes(maintenance: server.maintenance, statistics: server.statistics))
        try server.register(MetricsRoutes(maintenance: server.maintenance, statistics: server.statistics))
        if let root {
            try server.register(StaticFiles(root: root, prefix: staticPrefix))
        }
        return server
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension AccessLogFormat: ExpressibleByArgument {}
extension TLSProfile: ExpressibleByArgument {}

/// An `on|off` option.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

/// WorkerCount is `--workers`: a positive number or `auto`.
enum WorkerCount: ExpressibleByArgument {
    case count(Int)
    case auto

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let count = Int(argument), count > 0 {
            self = .count(count)
        } else {
            return nil
        }
    }

    var resolved: Int {
        switch self {
        case let .count(count): count
        case .auto: WorkerSupervisor.onlineProcessors
        }
    }
}

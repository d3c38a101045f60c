import EventServerSupport
import Maintenance
internal import Evhttp

/// ServerConfiguration is everything the server needs to start, with production defaults.
public struct ServerConfiguration: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal, or a host name.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (the bound port is logged and reported).
    public var port = 8080
    /// Listen backlog; evhttp's own binding hard-codes 128, too few for bursts.
    public var backlog = 1024
    /// Open connections at most; beyond it accepting pauses until one closes.
    public var maxConnections = 10_000
    /// Largest request line plus header block; larger requests are refused by evhttp.
    public var maxHeaderBytes = 8 * 1024
    /// Largest request body; larger bodies get 413 from evhttp.
    public var maxBodyBytes = 1024 * 1024
    /// Seconds a connection may go silent (no byte of a request arrives, none of a reply is
    /// taken) before it is closed.
    public var timeoutSeconds = 30
    /// Seconds from accept, or from the end of the previous reply, until a request's header
    /// block must have ended; past it the connection gets 408 (or, if idle, is closed).
    public var headerTimeoutSeconds = 20
    /// Seconds from the same start until the whole request, body included, must have arrived.
    public var requestTimeoutSeconds = 60
    /// Seconds a graceful stop waits for in-flight replies before closing everything.
    public var shutdownTimeoutSeconds = 10
    /// Seconds between the first stop signal and the graceful stop, during which `/readyz`
    /// answers 503 while the server keeps accepting and serving: balancers and Kubernetes
    /// endpoints stop sending new connections before the listening socket closes.
    public var shutdownDelaySeconds = 0
    /// Value of `Retry-After` on maintenance replies.
    public var retryAfterSeconds = 300
    /// An HTML file served as the maintenance page instead of the built-in one.
    public var maintenancePagePath: String?
    /// Whether the server starts in maintenance.
    public var startInMaintenance = false
    /// Whether the server bootstraps swift-metrics with the registry `/metrics` shows
    /// (`ModuleMetrics`); false for an application that bootstraps its own backend.
    public var bootstrapsMetrics = true
    /// The notice in force when starting in maintenance (a worker gets its master's).
    public var startNotice: MaintenanceNotice?
    /// During maintenance, GET and HEAD are redirected (307) here instead of the 503 page.
    public var maintenanceRedirect: String?
    /// Peers in these ranges are served normally during maintenance (the client's address: the
    /// socket's, or a trusted balancer's PROXY header's).
    public var maintenanceAllow: [AddressRange] = []
    /// Balancers in these ranges must begin every connection with a PROXY header (v1 or v2),
    /// whose source address then stands for the client everywhere; any other peer must not send
    /// one. Empty: no PROXY protocol.
    public var proxyProtocolFrom: [AddressRange] = []
    /// Where the pid is written once the server is bound; removed on a clean exit.
    public var pidFilePath: String?
    /// Where the maintenance state is kept across restarts.
    public var stateFilePath: String?
    /// The access log, `-` for standard output; off when nil.
    public var accessLogPath: String?
    /// How the access log writes its lines: Combined Log Format or one JSON object a line.
    public var accessLogFormat = AccessLogFormat.combined
    /// Whether HTTP/2 is served: on the plain port to clients with prior knowledge (h2c), over TLS
    /// to clients that choose h2 in ALPN; every other connection is HTTP/1.1 as before.
    /// `docs/architecture.md`, "HTTP/2".
    public var http2 = true
    /// Whether each request gets an id (a trusted balancer's `X-Request-ID`, or one made here),
    /// echoed on the response and written in the access log.
    public var requestIDs = false
    /// PEM certificate (its chain may follow) and key: with both, the server speaks HTTPS only.
    public var tlsCertificatePath: String?
    /// The PEM private key of `tlsCertificatePath`.
    public var tlsKeyPath: String?
    /// The TLS versions, suites and groups offered: Mozilla's intermediate profile by default.
    public var tlsProfile = TLSProfile.intermediate
    /// 80 bytes that seal TLS session tickets: servers given the same key (the workers of one
    /// group) resume each other's sessions. Nil: each server draws its own, so a session resumes
    /// only on the process that began it. Keep it secret, and new at each start: whoever holds it
    /// can decrypt resumed TLS 1.2 sessions.
    public var tlsSessionTicketKey: [UInt8]?
    /// Which signal does what; every signal here is handled on the loop.
    public var signalActions: [SignalBinding] = SignalBinding.defaults

    /// The defaults: `127.0.0.1:8080`, serving, no files.
    public init() {}

    /// Throws when a value cannot work.
    func validate() throws(ConfigurationError) {
        let positive: [(String, Int)] = [
            ("backlog", backlog), ("max connections", maxConnections), ("max header bytes", maxHeaderBytes),
            ("max body bytes", maxBodyBytes), ("timeout", timeoutSeconds), ("header timeout", headerTimeoutSeconds),
            ("request timeout", requestTimeoutSeconds),
        ]
        for (name, value) in positive where value <= 0 {
            throw ConfigurationError("\(name) must be positive, got \(value)")
        }
        if shutdownTimeoutSeconds < 0 || retryAfterSeconds < 0 || shutdownDelaySeconds < 0 {
            throw ConfigurationError("timeouts must not be negative")
        }
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw ConfigurationError("--tls-cert and --tls-key go together")
        }
        if let tlsSessionTicketKey, tlsSessionTicketKey.count != 80 {
            throw ConfigurationError("a TLS session ticket key has 80 bytes, got \(tlsSessionTicketKey.count)")
        }
        if !proxyProtocolFrom.isEmpty && tlsCertificatePath != nil {
            // The header comes before the ClientHello, and OpenSSL reads the socket first.
            throw ConfigurationError("--proxy-protocol-from does not work with --tls-cert yet: terminate TLS at the balancer")
        }
    }

    /// What the transport enforces per connection.
    var limits: HTTPLimits {
        HTTPLimits(
            maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes, idleTimeoutSeconds: timeoutSeconds,
            headerTimeoutSeconds: headerTimeoutSeconds, requestTimeoutSeconds: requestTimeoutSeconds,
            maxConnections: maxConnections, proxyProtocolFrom: proxyProtocolFrom)
    }
}

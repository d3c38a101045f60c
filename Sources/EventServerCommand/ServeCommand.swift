import ArgumentParser
import EventServer
import Logging
import Routes

#if canImport(Glibc)
import Glibc
#endif

/// `eventserver serve`: parses flags, builds the configuration, registers the stock modules, runs.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve HTTP until SIGTERM or SIGINT (the default command).")

    @Option(help: "Address to listen on (IPv4 or IPv6).")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free port and logs it.")
    var port = 8080

    @Option(help: "Listen backlog.")
    var backlog = 1024

    @Option(help: "Largest request line plus headers, in bytes.")
    var maxHeaderBytes = 8 * 1024

    @Option(help: "Largest request body, in bytes.")
    var maxBodyBytes = 1024 * 1024

    @Option(help: "Seconds before an idle or slow connection is closed.")
    var timeout = 30

    @Option(help: "Seconds a graceful stop waits for in-flight replies.")
    var shutdownTimeout = 10

    @Option(help: "Retry-After seconds on maintenance replies.")
    var retryAfter = 300

    @Option(help: "HTML file served as the maintenance page.")
    var maintenancePage: String?

    @Flag(help: "Start in maintenance.")
    var maintenance = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var settings = ServerConfiguration()
        settings.host = host
        settings.port = port
        settings.backlog = backlog
        settings.maxHeaderBytes = maxHeaderBytes
        settings.maxBodyBytes = maxBodyBytes
        settings.timeoutSeconds = timeout
        settings.shutdownTimeoutSeconds = shutdownTimeout
        settings.retryAfterSeconds = retryAfter
        settings.maintenancePagePath = maintenancePage
        settings.startInMaintenance = maintenance
        do {
            let server = try Server(configuration: settings)
            try server.register(GreetingRoutes())
            try server.register(HealthRoutes(maintenance: server.maintenance))
            try server.register(StatusRoutes(maintenance: server.maintenance, statistics: server.statistics))
            try server.run()
        } catch let error as ServerError {
            try fail(error.description)
        } catch let error as RouteError {
            try fail(error.description)
        }
    }

    /// Start-up failures end in one clear line on stderr and exit status 1, not a stack trace.
    private func fail(_ message: String) throws -> Never {
        let line = Array("eventserver: error: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        throw ExitCode.failure
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

import ArgumentParser
import EventServer
import Logging

/// `eventserver serve`: the default command; serves until SIGTERM or SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve HTTP until SIGTERM or SIGINT (the default command).")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let level = options.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try reportingStartUpErrors {
            let workers = options.workers.resolved
            guard workers > 1 else { return try options.makeServer().run() }
            // The same checks and messages as one server (page, root, CIDRs, values) before any
            // fork: a bad flag stops the master, not a stream of dying workers.
            _ = try options.makeServer()
            let settings = try options.configuration
            try WorkerSupervisor(count: workers, configuration: settings) { worker in
                let server = try options.makeServer(port: worker.port, startInMaintenance: worker.startInMaintenance)
                try server.run(asWorker: true, onListening: worker.reportListening)
            }.run()
        }
    }
}

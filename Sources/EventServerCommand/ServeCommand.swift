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
            // The same checks and messages as one server (page, root, CIDRs, values) before any
            // fork or takeover: a bad flag stops here, and a server being upgraded is untouched.
            let server = try options.makeServer()
            let takenOver = try TakenOver.requestIfAsked()
            // The replaced process's clients resume their TLS sessions on this one's workers too.
            if let key = takenOver?.sessionTicketKey { ServeOptions.sessionTicketKey = key }
            guard workers > 1 else {
                if let takenOver { server.takeOver(takenOver) }
                return try server.run()
            }
            let settings = try options.configuration
            try WorkerSupervisor(count: workers, configuration: settings, takingOver: takenOver) { worker in
                let server = try options.makeServer(
                    port: worker.port, startInMaintenance: worker.startInMaintenance, notice: worker.maintenanceNotice,
                    asWorker: true)
                try server.run(asWorker: true, listeningSocket: worker.listeningSocket, onListening: worker.reportListening)
            }.run()
        }
    }
}

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
            try options.makeServer().run()
        }
    }
}

import ArgumentParser
import EventServer

/// The `eventserver` command: `serve` (the default) runs the server.
@main
struct EventServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventserver",
        abstract: "An HTTP server on libevent with signal-driven maintenance mode.",
        discussion: """
            SIGUSR1 puts every route into 503 maintenance, SIGUSR2 restores service, \
            SIGTERM or SIGINT stops gracefully, SIGHUP is logged.
            """,
        version: EventServerVersion.current,
        subcommands: [ServeCommand.self, RoutesCommand.self, ControlCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

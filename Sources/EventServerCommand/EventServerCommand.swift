import ArgumentParser
import EventServer

/// The `eventserver` command: `serve` (the default) runs the server.
@main
struct EventServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventserver",
        abstract: "An HTTP server on libevent with signal-driven maintenance mode.",
        discussion: "Signals: \(SignalBinding.summary()).",
        version: "eventserver \(EventServerVersion.current)\nlibevent \(Server.libeventSummary)",
        subcommands: [ServeCommand.self, RoutesCommand.self, ControlCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

import ArgumentParser
import EventServer

#if canImport(Glibc)
import Glibc
#endif

extension ControlCommand {
    /// `eventserver ctl upgrade`: replaces the running server without refusing a connection.
    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the running server with a new process, without refusing a connection.",
            discussion: """
                Starts the binary the server was started from (or --binary) with the server's own \
                arguments. The new process takes over the open listening socket and the \
                maintenance state, then the old one stops accepting and drains. If the new \
                process fails, the old one keeps serving untouched and this exits 1 with its error.
                """)

        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand

        @Option(help: "The binary to start instead of the running server's own.")
        var binary: String?

        func run() throws {
            try reportingControlErrors {
                let options = Options(placed, before: control.placed)
                // Starting a server takes longer than a signal's confirmation: 30 s unless told.
                let wait = placed.wait ?? control.placed.wait ?? 30
                let (oldPID, _) = try options.runningServer()
                let control = Handover.controlPath(forPIDFile: options.pidFile)
                guard access(control, F_OK) == 0 else {
                    throw ControlError(
                        "pid \(oldPID) has no control socket (\(control)): was it started with this --pid-file, "
                            + "by a version that supports upgrades?")
                }
                let newPID = try UpgradeLauncher(oldPID: oldPID, pidFile: options.pidFile, binary: binary)
                    .run(waitingUpTo: wait)
                print("upgraded: pid \(oldPID) -> pid \(newPID) (pid \(oldPID) drains and exits)")
            }
        }
    }
}

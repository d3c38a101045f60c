import ArgumentParser
import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// `eventserver ctl`: drives a running server through its pid file and reports what it says.
struct ControlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Control a running eventserver through its pid file.",
        discussion: """
            Each command sends the signal an operator would, then waits up to --wait seconds \
            until the server confirms, and prints the state it reports. \(SignalBinding.summary()).
            """,
        subcommands: [Maintenance.self, Status.self, Reload.self, Stop.self, Upgrade.self]
    )

    /// `--pid-file` and `--wait`, accepted before the subcommand (`ctl --pid-file F status`) and
    /// after it (`ctl status --pid-file F`); after wins.
    @OptionGroup var placed: PlacedOptions

    struct PlacedOptions: ParsableArguments {
        @Option(help: "The pid file the server was started with (default: \(Options.defaultPIDFile)).")
        var pidFile: String?

        @Option(help: "Seconds to wait for the server to confirm (default: \(Options.defaultWait)).")
        var wait: Double?
    }

    /// The options in force for a subcommand.
    struct Options {
        static let defaultPIDFile = "/run/eventserver.pid"
        static let defaultWait = 2.0

        let pidFile: String
        let wait: Double

        init(_ own: PlacedOptions, before parent: PlacedOptions) {
            pidFile = own.pidFile ?? parent.pidFile ?? Self.defaultPIDFile
            wait = own.wait ?? parent.wait ?? Self.defaultWait
        }

        /// The pid of the live server the pid file names.
        func runningServer() throws -> (pid: Int32, probe: ServerProbe) {
            let file = PIDFile(path: pidFile)
            guard let pid = file.recordedPID() else { throw ControlError("no server running: cannot read a pid from \(pidFile)") }
            guard PIDFile.isRunning(pid, named: nil) else {
                throw ControlError("no server running: \(pidFile) names pid \(pid), which is not running (stale pid file)")
            }
            guard let probe = ServerProbe(pid: pid) else { throw ControlError("pid \(pid) has no listening socket") }
            return (pid, probe)
        }

        /// Polls `/status` until `done` holds, for at most `wait` seconds.
        func waitFor(_ probe: ServerProbe, _ done: (ServerProbe.Status) -> Bool) throws -> ServerProbe.Status {
            let deadline = MonotonicClock.seconds() + wait
            var last: ServerProbe.Status?
            repeat {
                if let status = try? probe.status(), done(status) { return status } else { last = try? probe.status() }
                usleep(20_000)
            } while MonotonicClock.seconds() < deadline
            throw ControlError("the server did not confirm within \(wait) s" + (last.map { "; it reports \($0.state)" } ?? ""))
        }
    }

    struct Maintenance: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enter (on) or leave (off) maintenance.")

        enum Setting: String, ExpressibleByArgument, CaseIterable { case on, off }

        @Argument var setting: Setting
        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        func run() throws {
            try reportingControlErrors {
                let (pid, probe) = try options.runningServer()
                let wanted = setting == .on ? "maintenance" : "serving"
                try send(setting == .on ? .enterMaintenance : .leaveMaintenance, to: pid)
                let status = try options.waitFor(probe) { $0.state == wanted }
                print(summary(status, probe))
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the live state and since when.")

        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        func run() throws {
            try reportingControlErrors {
                let (_, probe) = try options.runningServer()
                let status = try probe.status()
                print(summary(status, probe) + ", up \(Int(status.uptime_seconds)) s, \(status.requests) requests")
            }
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-read the maintenance page and reopen the access log (\(signalName(.reload))).")

        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        func run() throws {
            try reportingControlErrors {
                let (pid, probe) = try options.runningServer()
                let before = try probe.status().reloads
                try send(.reload, to: pid)
                let status = try options.waitFor(probe) { $0.reloads > before }
                print("reloaded; " + summary(status, probe))
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop gracefully (\(signalName(.stop))) and wait for the exit.")

        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        @Option(help: "Seconds to wait for the exit (finishing in-flight replies).")
        var stopWait: Double = 15

        func run() throws {
            try reportingControlErrors {
                let (pid, _) = try options.runningServer()
                try send(.stop, to: pid)
                let deadline = MonotonicClock.seconds() + stopWait
                while PIDFile.isRunning(pid, named: nil) && MonotonicClock.seconds() < deadline { usleep(20_000) }
                guard !PIDFile.isRunning(pid, named: nil) else { throw ControlError("pid \(pid) still running after \(stopWait) s") }
                print("stopped (pid \(pid))")
            }
        }
    }
}

private func summary(_ status: ServerProbe.Status, _ probe: ServerProbe) -> String {
    "\(status.state) since \(status.since) (pid \(status.pid), \(probe.url))"
}

/// The name of the signal `ctl` sends for `action`.
private func signalName(_ action: SignalAction) -> String {
    SignalBinding.signal(for: action).map(SignalBinding.name(of:)) ?? "no signal"
}

/// Sends the signal that means `action` (`SignalBinding.defaults`, as the server registers it).
private func send(_ action: SignalAction, to pid: Int32) throws {
    guard let signal = SignalBinding.signal(for: action), kill(pid, signal) == 0 else {
        throw ControlError("cannot signal pid \(pid): \(String(cString: strerror(errno)))")
    }
}

func reportingControlErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ControlError {
        StandardError.writeLine("eventserver ctl: \(error)")
        throw ExitCode.failure
    }
}

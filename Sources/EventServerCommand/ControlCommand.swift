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

        /// `/status` from each worker of a group, asked until every worker has answered or `wait`
        /// seconds have passed.
        func statusOfEachWorker(_ probe: ServerProbe) -> [Int32: ServerProbe.Status] {
            let deadline = MonotonicClock.seconds() + wait
            var answers: [Int32: ServerProbe.Status] = [:]
            while Set(answers.keys) != Set(probe.workers) && MonotonicClock.seconds() < deadline {
                if let status = try? probe.status() { answers[status.pid] = status } else { usleep(20_000) }
            }
            return answers
        }

        /// Polls `/status` until `done` holds, for at most `wait` seconds: for a worker group,
        /// until every worker has said so (each connection reaches one worker; a worker still
        /// handling its signal would otherwise miss a notice that ctl removes on return).
        func waitFor(_ probe: ServerProbe, _ done: (ServerProbe.Status) -> Bool) throws -> ServerProbe.Status {
            let deadline = MonotonicClock.seconds() + wait
            var last: ServerProbe.Status?
            var confirmed: Set<Int32> = []
            repeat {
                let status = try? probe.status()
                if let status, done(status) {
                    confirmed.insert(status.pid)
                    if confirmed.isSuperset(of: probe.workers) { return status }
                    usleep(1_000)  // the next connection may reach another worker
                    continue
                }
                last = status ?? last
                usleep(20_000)
            } while MonotonicClock.seconds() < deadline
            let pending = probe.workers.filter { !confirmed.contains($0) }
            let workers = confirmed.isEmpty ? "" : "; workers \(pending.map(String.init).joined(separator: ", ")) did not"
            throw ControlError("the server did not confirm within \(wait) s" + (last.map { "; it reports \($0.state)" } ?? "") + workers)
        }
    }

    struct Maintenance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enter (on) or leave (off) maintenance.",
            discussion: """
                `on --message TEXT --until WHEN` shows visitors a notice: the message (HTML-escaped) \
                and the planned end on the page, both in the JSON reply, and Retry-After counting \
                down to the end. WHEN is +90s, +30m, +2h or an RFC 3339 time. ctl leaves the notice \
                in PIDFILE.notice (mode 0600) and sends the usual signal; leaving maintenance clears it.
                """)

        enum Setting: String, ExpressibleByArgument, CaseIterable { case on, off }

        @Argument var setting: Setting
        @Option(help: "The notice's message (with on), shown to visitors.")
        var message: String?
        @Option(help: "The planned end (with on): +90s, +30m, +2h or an RFC 3339 time.")
        var until: String?
        @Flag(
            help: ArgumentHelp(
                "With on: make a bypass token, print it once; requests carrying it (Cookie: eventserver_bypass=TOKEN "
                    + "or X-Maintenance-Bypass: TOKEN) are served normally until maintenance ends."))
        var bypassToken = false
        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        func validate() throws {
            if setting == .off && (message != nil || until != nil || bypassToken) {
                throw ValidationError("--message, --until and --bypass-token go with `on`: leaving maintenance clears the notice")
            }
            if let message, message.utf8.count > MaintenanceNotice.maxMessageBytes {
                throw ValidationError("--message is longer than \(MaintenanceNotice.maxMessageBytes) bytes")
            }
            if let until {
                guard let end = PlannedEnd.parse(until, now: time(nil)) else {
                    throw ValidationError("--until \(until): expected +90s, +30m, +2h or an RFC 3339 time such as 2026-11-30T14:00:00Z")
                }
                guard end > time(nil) else { throw ValidationError("--until \(until) has already passed") }
            }
        }

        func run() throws {
            try reportingControlErrors {
                let (pid, probe) = try options.runningServer()
                let noticeFile = NoticeFile(pidFilePath: options.pidFile)
                // Whatever happens, no notice is left for a later plain signal to pick up.
                defer { noticeFile.remove() }
                let token = bypassToken ? MaintenanceBypass.makeToken() : nil
                let notice = setting == .on ? notice(bypassToken: token) : nil
                if let notice {
                    do {
                        try noticeFile.write(notice)
                    } catch {
                        throw ControlError("cannot leave the notice for the server: \(error)")
                    }
                }
                let wanted = setting == .on ? "maintenance" : "serving"
                try send(setting == .on ? .enterMaintenance : .leaveMaintenance, to: pid)
                let status = try options.waitFor(probe) { status in
                    status.state == wanted && (notice.map { status.shows($0) } ?? true)
                }
                print(summary(status, probe, pid: pid))
                // Printed once, here only: the server keeps its digest, and nothing logs it.
                if let token {
                    print("bypass token: \(token)")
                    print("  send it as Cookie: \(MaintenanceBypass.cookieName)=\(token) or \(MaintenanceBypass.headerName): \(token)")
                }
            }
        }

        private func notice(bypassToken token: String?) -> MaintenanceNotice? {
            guard message != nil || until != nil || token != nil else { return nil }
            return MaintenanceNotice(
                message: message, until: until.flatMap { PlannedEnd.parse($0, now: time(nil)) },
                bypassDigest: token.map(MaintenanceBypass.digest(of:)))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the live state and since when.")

        @OptionGroup var placed: PlacedOptions
        @ParentCommand var control: ControlCommand
        var options: Options { Options(placed, before: control.placed) }

        func run() throws {
            try reportingControlErrors {
                let (pid, probe) = try options.runningServer()
                guard !probe.workers.isEmpty else {
                    let status = try probe.status()
                    return print(summary(status, probe) + ", up \(Int(status.uptime_seconds)) s, \(status.requests) requests")
                }
                // A worker group: each connection reaches one worker. Ask until every worker has
                // answered (bounded by --wait), name the master, and say how many agree.
                let answers = options.statusOfEachWorker(probe)
                guard let first = answers.values.first else { throw ControlError("no worker of pid \(pid) answered /status") }
                let agreeing = answers.values.filter { $0.state == first.state }.count
                let requests = answers.values.reduce(0) { $0 + $1.requests }
                print(
                    summary(first, probe, pid: pid)
                        + ", \(agreeing) of \(probe.workers.count) workers agree, up \(Int(first.uptime_seconds)) s, \(requests) requests")
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

/// One line of state; `pid`, when given, is the pid file's (a worker group's master), else the
/// pid that answered.
private func summary(_ status: ServerProbe.Status, _ probe: ServerProbe, pid: Int32? = nil) -> String {
    var text = "\(status.state) since \(status.since) (pid \(pid ?? status.pid), \(probe.url))"
    if let until = status.until { text += ", planned end \(until)" }
    if let message = status.message { text += ", message: \(message)" }
    if status.bypass == true { text += ", bypass token in force" }
    return text
}

extension ServerProbe.Status {
    /// Whether the server shows `notice` (the planned end compared to the second).
    func shows(_ notice: MaintenanceNotice) -> Bool {
        message == notice.message && until == notice.until.map(UTCTime.iso8601)
            && (bypass ?? false) == (notice.bypassDigest != nil)
    }
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

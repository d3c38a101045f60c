import CProcessControl
import EventServerSupport
import Logging
internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// WorkerSupervisor runs N single-threaded worker processes that share one port.
///
/// Each worker is a `fork()` of this process that builds its own loop and server after the fork
/// and binds the port with SO_REUSEPORT, so the kernel spreads connections. The master keeps no
/// shared memory with them and runs no threads: it only forwards the configured signals
/// (`SignalBinding`), remembers the maintenance state so a restarted worker starts in it,
/// restarts workers that die (with back-off), and on a stop signal waits for every worker's
/// graceful stop.
public final class WorkerSupervisor {
    /// What a worker must serve with: the shared port and the master's current state.
    public struct WorkerSettings: Sendable {
        public let port: Int
        public let startInMaintenance: Bool
    }

    /// Builds and runs one worker's server.
    public typealias WorkerBody = (WorkerSettings) throws -> Void

    private let count: Int
    private let configuration: ServerConfiguration
    private let logger: Logger
    private let workerBody: WorkerBody
    private let notifier = SystemdNotifier()
    private var loop: EventLoop?
    private var workers: [pid_t: Double] = [:]  // pid → start time
    private var restartDelay = 0.1
    private var inMaintenance: Bool
    private var isStopping = false
    private var reservedPort: Int32 = -1
    /// The port every worker binds: the configured one, or the one `--port 0` reserved.
    private var sharedPort = 0

    /// Every configured signal: a worker acts on it, the master tracks what it means.
    private var forwarded: [Int32] { configuration.signalActions.map(\.signal) }

    /// A supervisor of `count` workers; `configuration.port` may be 0 (one free port for all).
    public init(count: Int, configuration: ServerConfiguration, logger: Logger = Logger(label: "eventserver"), worker: @escaping WorkerBody) {
        self.count = count
        self.configuration = configuration
        self.logger = logger
        self.workerBody = worker
        inMaintenance = configuration.startInMaintenance
    }

    /// The number of workers `auto` means: one per online CPU.
    public static var onlineProcessors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Runs the master until every worker has stopped after TERM or INT. In a worker it never
    /// returns: the worker exits with its server's status.
    public func run() throws {
        if let state = configuration.stateFilePath.map(StateFile.init(path:)), case .recorded(true, _) = state.read() {
            inMaintenance = true
        }
        sharedPort = try reservePort()
        let loop = try EventLoop()
        self.loop = loop
        for signal in forwarded {
            try loop.onSignal(signal) { [unowned self] in forward(signal) }
        }
        try loop.onSignal(SIGCHLD) { [unowned self] in reapWorkers() }
        let pidFile = configuration.pidFilePath.map(PIDFile.init(path:))
        try pidFile?.claim()
        defer { pidFile?.release() }
        logger.info("master pid \(getpid()) starting \(count) workers on port \(sharedPort)")
        for _ in 0..<count { try spawn() }
        notifier.notify("READY=1\nSTATUS=\(count) workers, \(inMaintenance ? "maintenance" : "serving")\nMAINPID=\(getpid())")
        try loop.run()
        logger.info("all workers stopped")
    }

    /// Binds (without listening) the port every worker will share, so it stays ours across
    /// worker restarts and `--port 0` means one port for all.
    private func reservePort() throws -> Int {
        let bound = try PortReservation.reserve(host: configuration.host, port: configuration.port)
        reservedPort = bound.descriptor
        return bound.port
    }

    private func spawn() throws {
        // Block the forwarded signals across fork: a worker must not die of a USR1's default
        // action before its loop has registered its own signal events (which unblock them).
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for signal in forwarded { sigaddset(&blocked, signal) }
        sigprocmask(SIG_BLOCK, &blocked, &previous)
        let master = getpid()
        let pid = fork()
        if pid == 0 {
            runWorker(master: master)
        }
        sigprocmask(SIG_SETMASK, &previous, nil)
        guard pid > 0 else { throw WorkerError.forkFailed(String(cString: strerror(errno))) }
        workers[pid] = MonotonicClock.seconds()
    }

    /// In the child: drop the master's resources, then run one server and exit.
    private func runWorker(master: pid_t) -> Never {
        // A worker must not outlive a master killed with SIGKILL: it stops gracefully instead.
        cprocess_signal_on_parent_death(SIGTERM)
        if getppid() != master { exit(0) }
        loop?.detachAfterFork()
        LibeventLog.dropSignalOwnershipWarning()
        signal(SIGCHLD, SIG_DFL)
        close(reservedPort)
        unsetenv("NOTIFY_SOCKET")  // only the master speaks to systemd
        do {
            try workerBody(WorkerSettings(port: sharedPort, startInMaintenance: inMaintenance))
            exit(0)
        } catch {
            logger.error("worker failed: \(error)")
            exit(1)
        }
    }

    private func forward(_ signal: Int32) {
        let action = SignalBinding.action(for: signal, in: configuration.signalActions)
        switch action {
        case .enterMaintenance: inMaintenance = true
        case .leaveMaintenance: inMaintenance = false
        case .stop:
            if !isStopping {
                isStopping = true
                notifier.notify("STOPPING=1")
                logger.notice("stopping \(workers.count) workers", metadata: ["signal": "\(SignalBinding.name(of: signal))"])
                scheduleForcedStop()
            }
        case .reload, nil: break
        }
        for pid in workers.keys { kill(pid, signal) }
        if action == .enterMaintenance || action == .leaveMaintenance {
            notifier.notify("STATUS=\(workers.count) workers, \(inMaintenance ? "maintenance" : "serving")")
        }
        if isStopping && workers.isEmpty { loop?.stop() }
    }

    private func reapWorkers() {
        var status: Int32 = 0
        while case let pid = waitpid(-1, &status, WNOHANG), pid > 0 {
            guard let startedAt = workers.removeValue(forKey: pid) else { continue }
            if isStopping { continue }
            let lived = MonotonicClock.seconds() - startedAt
            restartDelay = lived > 10 ? 0.1 : min(restartDelay * 2, 5)
            logger.error(
                "worker pid \(pid) \(Self.describe(status)); restarting in \(restartDelay) s",
                metadata: ["maintenance": "\(inMaintenance)"])
            scheduleRestart(after: restartDelay)
        }
        if isStopping && workers.isEmpty { loop?.stop() }
    }

    private func scheduleRestart(after seconds: Double) {
        do {
            try loop?.after(milliseconds: Int(seconds * 1000)) { [unowned self] in
                guard !isStopping else { return }
                do { try spawn() } catch { logger.error("cannot restart a worker: \(error)") }
            }
        } catch {
            logger.error("cannot schedule a worker restart: \(error)")
        }
    }

    /// Workers stop gracefully within their shutdown timeout; past it (plus a margin) they are
    /// killed, so the master's own exit stays bounded.
    private func scheduleForcedStop() {
        try? loop?.after(milliseconds: (configuration.shutdownTimeoutSeconds + 5) * 1000) { [unowned self] in
            for pid in workers.keys {
                logger.warning("worker pid \(pid) did not stop in time; killing it")
                kill(pid, SIGKILL)
            }
        }
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }
}

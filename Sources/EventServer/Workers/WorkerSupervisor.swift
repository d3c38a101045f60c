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
/// and serves its slot's listening socket: the master opens one SO_REUSEPORT socket per slot
/// (the kernel spreads connections over them) and keeps it, so a slot's queue outlives a worker
/// that dies and the whole set can be handed to a new master (`ctl upgrade`). The master keeps no
/// shared memory with them and runs no threads: it forwards the configured signals
/// (`SignalBinding`), remembers the maintenance state so a restarted worker starts in it,
/// restarts workers that die (with back-off), and on a stop signal waits for every worker's
/// graceful stop.
///
/// It fails fast rather than loop: a worker that stops before it listens during the start ends
/// the group with that worker's error, and so do workers dying `crashLoopDeaths` times within
/// `crashLoopSeconds`; the exit status 1 leaves restarting to the service manager. `READY=1`
/// goes to systemd once every worker listens.
public final class WorkerSupervisor {
    /// What a worker must serve with: the shared port, the master's current state, and how to
    /// tell the master it listens.
    public struct WorkerSettings: Sendable {
        /// The port the group shares.
        public let port: Int
        /// The slot's listening socket, which the worker serves.
        public let listeningSocket: Int32
        /// Whether the group is in maintenance now.
        public let startInMaintenance: Bool
        /// The operator's notice in force, when starting in maintenance with one.
        public let maintenanceNotice: MaintenanceNotice?
        /// Call once the worker's server listens.
        public let reportListening: @Sendable () -> Void
    }

    /// Builds and runs one worker's server.
    public typealias WorkerBody = (WorkerSettings) throws -> Void

    /// Deaths within `crashLoopSeconds` that end the group.
    public static let crashLoopDeaths = 5
    /// The window in which `crashLoopDeaths` deaths mean a crash loop, not bad luck.
    public static let crashLoopSeconds = 30

    private struct Worker {
        let slot: Int
        let startedAt: Double
        let report: Int32
        let watch: ReadableWatch?
        var isListening = false
    }

    private let count: Int
    private let configuration: ServerConfiguration
    /// The group's state file, which only the master writes.
    private let stateFile: StateFile?
    private let logger: Logger
    private let workerBody: WorkerBody
    private let notifier = SystemdNotifier()
    private var loop: EventLoop?
    private var workers: [pid_t: Worker] = [:]
    private var restartDelay = 0.1
    private var inMaintenance: Bool
    /// The operator's notice while in maintenance: for workers started later, the state file
    /// and a new master after an upgrade.
    private var notice: MaintenanceNotice?
    /// When the group's maintenance state last changed, for a new master after an upgrade.
    private var maintenanceChangedAt: Int
    private var isStopping = false
    /// Set until every worker of the first start listens.
    private var isStarting = true
    private var deaths: [Double] = []
    /// Why the group is ending with status 1, once it is.
    private var failure: WorkerError?
    /// One listening socket per worker slot (all the same one under socket activation).
    private var sockets: [Int32] = []
    /// Given by `ctl upgrade`'s new process: the sockets and state of the group it replaces.
    private var takenOver: TakenOver?
    private var controlSocket: ControlSocket?
    /// Set once a new master took over: the pid file and the control path are its own.
    private var handedOver = false
    /// The port every worker binds: the configured one, or the one `--port 0` reserved.
    private var sharedPort = 0

    /// Every configured signal: a worker acts on it, the master tracks what it means.
    private var forwarded: [Int32] { configuration.signalActions.map(\.signal) }

    /// A supervisor of `count` workers; `configuration.port` may be 0 (one free port for all).
    public init(
        count: Int, configuration: ServerConfiguration, logger: Logger = Logger(label: "eventserver"),
        takingOver takenOver: TakenOver? = nil, worker: @escaping WorkerBody
    ) {
        self.count = count
        self.configuration = configuration
        self.logger = logger
        self.workerBody = worker
        self.takenOver = takenOver
        inMaintenance = takenOver?.maintenance.isActive ?? configuration.startInMaintenance
        maintenanceChangedAt = takenOver?.maintenance.changedAt ?? time(nil)
        stateFile = configuration.stateFilePath.map(StateFile.init(path:))
        notice = takenOver?.maintenance.notice
    }

    /// The number of workers `auto` means: one per online CPU.
    public static var onlineProcessors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Runs the master until every worker has stopped after a stop signal; throws when the group
    /// could not start or kept crashing. In a worker it never returns: the worker exits with its
    /// server's status.
    public func run() throws {
        if takenOver == nil, case let .recorded(true, _, recorded)? = stateFile?.read() {
            inMaintenance = true
            notice = recorded
        }
        try openSockets()
        let loop = try EventLoop()
        self.loop = loop
        for signal in forwarded {
            try loop.onSignal(signal) { [unowned self] in forward(signal) }
        }
        try loop.onSignal(SIGCHLD) { [unowned self] in reapWorkers() }
        let pidFile = configuration.pidFilePath.map(PIDFile.init(path:))
        // A new master writes the pid file once its workers serve (`confirmStart`).
        if takenOver == nil { try pidFile?.claim() }
        defer { if !handedOver { pidFile?.release() } }
        defer { controlSocket?.close(removingPath: !handedOver) }
        // The same check a single server makes before it serves: the state file is writable.
        try stateFile?.write(maintenance: inMaintenance, since: time(nil), notice: notice)
        logger.info("master pid \(getpid()) starting \(count) workers on port \(sharedPort)")
        for slot in 0..<count { try spawn(slot: slot) }
        try loop.run()
        if let failure { throw failure }
        logger.info("all workers stopped")
    }

    /// The slots' listening sockets: handed over, passed by systemd, or opened here.
    private func openSockets() throws {
        if let takenOver {
            sockets = takenOver.listeningSockets
            sharedPort = SocketAddress.local(of: sockets[0])?.port ?? configuration.port
            while sockets.count < count {
                sockets.append(try PortReservation.listeningSocket(host: configuration.host, port: sharedPort, backlog: configuration.backlog))
            }
            for extra in sockets.dropFirst(count) { close(extra) }
            sockets = Array(sockets.prefix(count))
            takenOver.adoptOutput()
        } else if let activated = SocketActivation.inherited {
            // systemd holds the socket: every worker accepts on it (forked with it open).
            sharedPort = SocketAddress.local(of: activated)?.port ?? configuration.port
            sockets = Array(repeating: activated, count: count)
        } else {
            // The reservation (which also turns --port 0 into one port) becomes slot 0's socket.
            let reservation = try PortReservation.reserve(host: configuration.host, port: configuration.port)
            sharedPort = reservation.port
            try PortReservation.listen(reservation.descriptor, backlog: configuration.backlog, shown: "port \(sharedPort)")
            sockets.append(reservation.descriptor)
            for _ in 1..<count {
                sockets.append(try PortReservation.listeningSocket(host: configuration.host, port: sharedPort, backlog: configuration.backlog))
            }
        }
    }

    private func spawn(slot: Int) throws {
        let report = try StartReport.open()
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
            close(report.readEnd)
            runWorker(master: master, slot: slot, report: report.writeEnd)
        }
        sigprocmask(SIG_SETMASK, &previous, nil)
        close(report.writeEnd)
        guard pid > 0 else {
            close(report.readEnd)
            throw WorkerError.forkFailed(String(cString: strerror(errno)))
        }
        let watch = try loop?.onReadable(report.readEnd) { [unowned self] in reportArrived(from: pid) }
        workers[pid] = Worker(slot: slot, startedAt: MonotonicClock.seconds(), report: report.readEnd, watch: watch)
    }

    /// In the child: drop the master's resources, then run one server and exit.
    private func runWorker(master: pid_t, slot: Int, report: Int32) -> Never {
        // A worker must not outlive a master killed with SIGKILL: it stops gracefully instead.
        cprocess_signal_on_parent_death(SIGTERM)
        if getppid() != master { exit(0) }
        loop?.detachAfterFork()
        LibeventLog.dropSignalOwnershipWarning()
        signal(SIGCHLD, SIG_DFL)
        for worker in workers.values { close(worker.report) }
        for other in Set(sockets) where other != sockets[slot] { close(other) }
        controlSocket?.closeInChild()
        unsetenv("NOTIFY_SOCKET")  // only the master speaks to systemd
        let settings = WorkerSettings(
            port: sharedPort, listeningSocket: sockets[slot], startInMaintenance: inMaintenance,
            maintenanceNotice: inMaintenance ? notice : nil
        ) {
            StartReport.sendListening(on: report)
        }
        do {
            try workerBody(settings)
            exit(0)
        } catch {
            StartReport.sendFailure("\(error)", on: report)
            exit(1)
        }
    }

    /// The worker wrote to its report pipe: it listens (or it exited, which the reaper handles).
    private func reportArrived(from pid: pid_t) {
        guard var worker = workers[pid] else { return }
        let bytes = StartReport.drain(worker.report)
        guard bytes.first == StartReport.listening, !worker.isListening else {
            if bytes.isEmpty { worker.watch?.cancel() }  // the end: the reaper takes it from here
            return
        }
        worker.isListening = true
        workers[pid] = worker
        if isStarting && workers.count == count && workers.values.allSatisfy(\.isListening) {
            isStarting = false
            notifier.notify("READY=1\nSTATUS=\(count) workers, \(inMaintenance ? "maintenance" : "serving")\nMAINPID=\(getpid())")
            logger.info("all \(count) workers listening on port \(sharedPort)")
            confirmStart()
        }
    }

    private func forward(_ signal: Int32) {
        let action = SignalBinding.action(for: signal, in: configuration.signalActions)
        switch action {
        case .enterMaintenance:
            if !inMaintenance { maintenanceChangedAt = time(nil) }
            inMaintenance = true
            // The workers read the same file when the signal reaches them.
            if let fresh = NoticeFile.noticeForSignal(pidFilePath: configuration.pidFilePath, logger: logger) { notice = fresh }
        case .leaveMaintenance:
            if inMaintenance { maintenanceChangedAt = time(nil) }
            inMaintenance = false
            notice = nil
        case .stop:
            if !isStopping {
                logger.notice("stopping \(workers.count) workers", metadata: ["signal": "\(SignalBinding.name(of: signal))"])
                stopWorkers()
            }
        case .reload, nil: break
        }
        for pid in workers.keys { kill(pid, signal) }
        if action == .enterMaintenance || action == .leaveMaintenance {
            recordState()
            notifier.notify("STATUS=\(workers.count) workers, \(inMaintenance ? "maintenance" : "serving")")
        }
        if isStopping && workers.isEmpty { loop?.stop() }
    }

    /// Writes the group's state: the master is the state file's one writer (its workers keep
    /// none), so no two processes rename the same file at once.
    private func recordState() {
        do {
            try stateFile?.write(maintenance: inMaintenance, since: maintenanceChangedAt, notice: notice)
        } catch {
            logger.error("cannot record the state", metadata: ["error": "\(error)"])
        }
    }

    private func stopWorkers() {
        isStopping = true
        notifier.notify("STOPPING=1")
        scheduleForcedStop()
    }

    private func reapWorkers() {
        var status: Int32 = 0
        while case let pid = waitpid(-1, &status, WNOHANG), pid > 0 {
            guard let worker = workers.removeValue(forKey: pid) else { continue }
            let report = StartReport.drain(worker.report)
            let listened = worker.isListening || report.first == StartReport.listening
            let message = String(decoding: report.drop { $0 == StartReport.listening }, as: UTF8.self)
            worker.watch?.cancel()
            close(worker.report)
            if isStopping { continue }
            if isStarting && !listened {
                fail(.workerFailedToStart(message.isEmpty ? "worker pid \(pid) \(Self.describe(status)) before listening" : message))
                continue
            }
            let now = MonotonicClock.seconds()
            deaths = deaths.filter { now - $0 < Double(Self.crashLoopSeconds) } + [now]
            let death = "worker pid \(pid) \(Self.describe(status))" + (message.isEmpty ? "" : ": \(message)")
            if deaths.count >= Self.crashLoopDeaths {
                logger.error("\(death)")
                fail(.crashLoop(deaths: deaths.count, seconds: Self.crashLoopSeconds))
                continue
            }
            restartDelay = now - worker.startedAt > 10 ? 0.1 : min(restartDelay * 2, 5)
            logger.error("\(death); restarting in \(restartDelay) s", metadata: ["maintenance": "\(inMaintenance)"])
            scheduleRestart(slot: worker.slot, after: restartDelay)
        }
        if isStopping && workers.isEmpty { loop?.stop() }
    }

    /// Ends the group: the other workers stop gracefully, then `run()` throws `error`.
    private func fail(_ error: WorkerError) {
        guard failure == nil else { return }
        failure = error
        stopWorkers()
        for pid in workers.keys { kill(pid, SIGTERM) }
    }

    private func scheduleRestart(slot: Int, after seconds: Double) {
        do {
            try loop?.after(milliseconds: Int(seconds * 1000)) { [unowned self] in
                guard !isStopping else { return }
                do { try spawn(slot: slot) } catch { logger.error("cannot restart a worker: \(error)") }
            }
        } catch {
            logger.error("cannot schedule a worker restart: \(error)")
        }
    }

    /// Workers stop gracefully within their shutdown delay and timeout; past both (plus a margin)
    /// they are killed, so the master's own exit stays bounded. Each worker runs the delay
    /// itself: the master forwards every stop signal at once, so a second one cuts it short.
    private func scheduleForcedStop() {
        let seconds = configuration.shutdownDelaySeconds + configuration.shutdownTimeoutSeconds + 5
        try? loop?.after(milliseconds: seconds * 1000) { [unowned self] in
            for pid in workers.keys {
                logger.warning("worker pid \(pid) did not stop in time; killing it")
                kill(pid, SIGKILL)
            }
        }
    }

    // MARK: Upgrades (see `Handover`)

    /// Every worker serves: a new master tells the old one, then (any master with a pid file)
    /// listens for the next upgrade and writes the pid file.
    private func confirmStart() {
        if let takenOver {
            takenOver.confirm()
            self.takenOver = nil
            try? configuration.pidFilePath.map(PIDFile.init(path:))?.claim(replacingRunningServer: true)
        }
        guard let pidFile = configuration.pidFilePath, let loop else { return }
        do {
            controlSocket = try ControlSocket(
                forPIDFile: pidFile, loop: loop,
                offer: { [unowned self] in takeoverOffer() }, onReady: { [unowned self] in handOver(to: $0) })
        } catch {
            logger.error("no control socket, so no upgrades: \(error)")
        }
    }

    private func takeoverOffer() -> (state: String, descriptors: [Int32])? {
        guard !isStopping, !isStarting else { return nil }
        var unique: [Int32] = []
        for socket in sockets where !unique.contains(socket) { unique.append(socket) }
        logger.notice("upgrade: handing \(unique.count) listening sockets to a new master")
        let state =
            "STATE \(inMaintenance ? 1 : 0) \(maintenanceChangedAt) \(unique.count) \(HandoverNotice.encode(inMaintenance ? notice : nil)) "
            + HandoverNotice.encodeKey(configuration.tlsCertificatePath == nil ? nil : configuration.tlsSessionTicketKey)
        return (state, unique + [STDOUT_FILENO, STDERR_FILENO])
    }

    /// The new master's workers serve: these workers drain and exit, then this master.
    private func handOver(to pid: Int32) {
        guard !isStopping else { return }
        handedOver = true
        controlSocket?.close(removingPath: false)
        controlSocket = nil
        logger.notice("upgrade: master pid \(pid) serves now; \(workers.count) workers drain")
        stopWorkers()
        for worker in workers.keys { kill(worker, SIGTERM) }
        if workers.isEmpty { loop?.stop() }
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "was killed by signal \(signal)"
    }
}

import EventServerSupport
import Logging
import Maintenance
internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// What the server does when a configured signal arrives, and the state it keeps around it:
/// the state file, systemd's status line and the graceful stop.
extension Server {
    func perform(_ action: SignalAction, for signal: Int32) {
        let name = SignalBinding.name(of: signal)
        switch action {
        case .enterMaintenance:
            let notice = NoticeFile.noticeForSignal(pidFilePath: configuration.pidFilePath, logger: logger)
            if maintenance.enter(notice: notice) {
                stateChanged("entered maintenance", signal: name)
            } else if notice != nil {
                stateChanged("maintenance notice updated", signal: name)
            }
        case .leaveMaintenance:
            if maintenance.leave() { stateChanged("left maintenance", signal: name) }
        case .reload:
            reload(after: name)
        case .stop:
            requestStop(after: name)
        }
    }

    /// "Serving" or "Maintenance since 2026-11-25T17:22:06Z", for systemd and logs.
    var stateSummary: String {
        guard maintenance.isActive else { return "Serving" }
        let until = maintenance.notice?.until.map { ", planned end \(UTCTime.iso8601($0))" } ?? ""
        return "Maintenance since \(UTCTime.iso8601(maintenance.changedAt))" + until
    }

    /// The state at start: maintenance when the flag asks for it, when the state file records
    /// it, or when the state file cannot be trusted (fail closed).
    static func initialState(_ configuration: ServerConfiguration, _ stateFile: StateFile?, _ logger: Logger) -> MaintenanceState {
        switch stateFile?.read() {
        case let .recorded(true, since, notice)?:
            logger.notice("starting in maintenance, as recorded in the state file", metadata: ["path": "\(stateFile!.path)"])
            return MaintenanceState(active: true, changedAt: since, notice: notice)
        case let .unusable(reason)?:
            logger.error("state file unusable; starting in maintenance (fail closed)", metadata: ["reason": "\(reason)"])
            return MaintenanceState(active: true)
        case .recorded(false, _, _)?, .missing?, nil:
            return MaintenanceState(active: configuration.startInMaintenance, notice: configuration.startNotice)
        }
    }

    /// Writes the current state to the state file, if there is one.
    func recordState() throws {
        try stateFile?.write(maintenance: maintenance.isActive, since: maintenance.changedAt, notice: maintenance.notice)
    }

    private func stateChanged(_ message: Logger.Message, signal: String) {
        logger.notice(message, metadata: ["signal": "\(signal)"])
        do {
            try recordState()
        } catch {
            logger.error("cannot record the state", metadata: ["error": "\(error)"])
        }
        notifier.notify("STATUS=\(stateSummary)")
    }

    private func reload(after signal: String) {
        var problems: [String] = []
        do {
            try maintenanceResponder.reloadPage()
        } catch {
            problems.append("maintenance page kept: \(error)")
        }
        do {
            try accessLog?.reopen()
        } catch {
            problems.append("access log not reopened: \(error)")
        }
        if let current = tls {
            do {
                // New connections get the new pair; open ones keep theirs.
                let reloaded = try TLSContext(
                    certificatePath: current.certificatePath, keyPath: current.keyPath, profile: current.profile,
                    sessionTicketKey: current.sessionTicketKey)
                tls = reloaded
                transport?.replaceTLS(reloaded)
            } catch {
                problems.append("TLS certificate kept: \(error)")
            }
        }
        statistics.reloads += 1
        if problems.isEmpty {
            logger.notice("reloaded", metadata: ["signal": "\(signal)"])
        } else {
            logger.error("reloaded with errors", metadata: ["signal": "\(signal)", "errors": "\(problems.joined(separator: "; "))"])
        }
    }

    /// The first stop signal: with `--shutdown-delay`, readiness fails at once while the server
    /// keeps accepting and serving for that long (balancers and kube-proxy are still removing
    /// this instance), then the graceful stop begins. A stop signal during the delay begins it
    /// at once; one during the graceful stop closes everything.
    func requestStop(after signal: String) {
        if isDelayingStop {
            isDelayingStop = false
            logger.notice("second stop signal: the shutdown delay is cut short", metadata: ["signal": "\(signal)"])
            return beginStop(after: signal)
        }
        let delay = configuration.shutdownDelaySeconds
        guard !isStopping, delay > 0 else { return beginStop(after: signal) }
        isDelayingStop = true
        maintenance.markStopping()
        notifier.notify("STOPPING=1")
        logger.notice(
            "stopping in \(delay) s: /readyz answers 503, connections are still accepted",
            metadata: ["signal": "\(signal)"])
        do {
            try loop?.after(seconds: delay) { [unowned self] in
                guard isDelayingStop else { return }  // a second signal began the stop already
                isDelayingStop = false
                beginStop(after: signal)
            }
        } catch {
            isDelayingStop = false
            beginStop(after: signal)
        }
    }

    /// Stops accepting and stops the loop once the replies in flight are written and every
    /// connection has closed (a busy one after a reply with `Connection: close`, an idle one
    /// after a second), or at the shutdown timeout: clients under load see no reset.
    func beginStop(after signal: String) {
        guard !isStopping else {
            logger.warning("second stop signal: closing now", metadata: ["signal": "\(signal)"])
            loop?.stop()
            return
        }
        isStopping = true
        maintenance.markStopping()
        notifier.notify("STOPPING=1")
        transport?.stopAccepting()
        maintenance.endUpdates()  // state feeds end, so their replies can complete
        let inFlight = statistics.repliesInFlight
        logger.notice("stopping", metadata: ["signal": "\(signal)", "replies_in_flight": "\(inFlight)"])
        guard !isDrained else {
            loop?.stop()
            return
        }
        do {
            try loop?.after(seconds: configuration.shutdownTimeoutSeconds) { [unowned self] in
                logger.warning(
                    "shutdown timeout: closing \(statistics.repliesInFlight) unfinished replies",
                    metadata: ["open_connections": "\(statistics.openConnections)"])
                loop?.stop()
            }
        } catch {
            loop?.stop()
        }
    }

    /// Whether a stop may end the loop now.
    private var isDrained: Bool {
        statistics.repliesInFlight == 0 && statistics.openConnections == 0
    }

    func stopIfDrained() {
        if isStopping && isDrained { loop?.stop() }
    }
}

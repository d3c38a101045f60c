import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The running server's side of `ctl upgrade` (see `Handover`).
extension Server {
    /// The state line and descriptors for a replacing process, or nil once stopping.
    func takeoverOffer() -> (state: String, descriptors: [Int32])? {
        guard !isStopping, let socket = transport?.listeningDescriptor else { return nil }
        logger.notice("upgrade: handing the listening socket to a new process")
        let state =
            "STATE \(maintenance.isActive ? 1 : 0) \(maintenance.changedAt) 1 \(HandoverNotice.encode(maintenance.notice)) "
            + HandoverNotice.encodeKey(tls?.sessionTicketKey)
        return (state, [socket, STDOUT_FILENO, STDERR_FILENO])
    }

    /// The new process serves: stop accepting and drain, leaving the pid file and the control
    /// socket's path to it.
    func handOver(to pid: Int32) {
        guard !isStopping else { return }
        handedOver = true
        controlSocket?.close(removingPath: false)
        controlSocket = nil
        logger.notice("upgrade: pid \(pid) serves now; draining", metadata: ["open_connections": "\(statistics.openConnections)"])
        beginStop(after: "upgrade")
    }
}

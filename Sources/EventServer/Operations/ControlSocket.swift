internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// ControlSocket is the running server's side of `Handover`: it listens on `PIDFILE.control`
/// and answers a replacing process's TAKEOVER and READY, on the loop, without blocking it.
///
/// Loop-confined; lives while the server runs, and only when it has a pid file (that is how
/// `ctl` finds a server) and is not a worker.
final class ControlSocket {
    /// What the server hands to a replacing process: its state line and the descriptors to
    /// pass (listening socket, stdout, stderr), or nil when it cannot (already stopping).
    typealias TakeoverOffer = () -> (state: String, descriptors: [Int32])?

    let path: String
    private let listening: Int32
    private let loop: EventLoop
    private let offer: TakeoverOffer
    private let onReady: (Int32) -> Void
    private var watch: ReadableWatch?
    private var sessions: [Int32: (watch: ReadableWatch, pending: [UInt8])] = [:]

    /// Listens at `Handover.controlPath(forPIDFile:)`.
    init(forPIDFile pidFile: String, loop: EventLoop, offer: @escaping TakeoverOffer, onReady: @escaping (Int32) -> Void) throws {
        path = Handover.controlPath(forPIDFile: pidFile)
        self.loop = loop
        self.offer = offer
        self.onReady = onReady
        listening = try UnixSocket.listen(at: path)
        watch = try loop.onReadable(listening) { [unowned self] in acceptSession() }
    }

    /// Stops listening; `removingPath` unless a replacing server now owns the path.
    func close(removingPath: Bool) {
        watch?.cancel()
        watch = nil
        for (descriptor, session) in sessions {
            session.watch.cancel()
            Glibc.close(descriptor)
        }
        sessions.removeAll()
        Glibc.close(listening)
        if removingPath { unlink(path) }
    }

    /// In a forked worker: drops the inherited descriptors without touching the master's path.
    func closeInChild() {
        for descriptor in sessions.keys { Glibc.close(descriptor) }
        Glibc.close(listening)
    }

    private func acceptSession() {
        let session = accept(listening, nil, nil)
        guard session >= 0 else { return }
        _ = fcntl(session, F_SETFD, FD_CLOEXEC)
        _ = fcntl(session, F_SETFL, fcntl(session, F_GETFL) | O_NONBLOCK)
        guard let watch = try? loop.onReadable(session, { [unowned self] in read(session) }) else {
            Glibc.close(session)
            return
        }
        sessions[session] = (watch, [])
    }

    private func read(_ session: Int32) {
        var bytes = [UInt8](repeating: 0, count: 256)
        let received = recv(session, &bytes, bytes.count, 0)
        if received < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard received > 0, var state = sessions[session] else { return end(session) }
        state.pending += bytes[..<received]
        sessions[session] = state
        while let newline = sessions[session]?.pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: sessions[session]!.pending[..<newline], as: UTF8.self)
            sessions[session]!.pending.removeSubrange(...newline)
            guard handle(line, on: session) else { return end(session) }
        }
        if sessions[session]?.pending.count ?? 0 > 1024 { end(session) }
    }

    /// Answers one line; false ends the session.
    private func handle(_ line: String, on session: Int32) -> Bool {
        let fields = line.split(separator: " ")
        switch fields.first {
        case "TAKEOVER":
            guard let (state, descriptors) = offer() else {
                _ = UnixSocket.send(session, "BUSY\n")
                return false
            }
            return UnixSocket.send(session, state + "\n", descriptors: descriptors)
        case "READY":
            guard fields.count == 2, let pid = Int32(fields[1]) else { return false }
            end(session)
            onReady(pid)
            return false
        default:
            return false
        }
    }

    private func end(_ session: Int32) {
        guard let state = sessions.removeValue(forKey: session) else { return }
        state.watch.cancel()
        Glibc.close(session)
    }
}

import CSocketPassing
import EventServerSupport
import Maintenance

#if canImport(Glibc)
import Glibc
#endif

/// Handover is the protocol by which a new server process takes over a running one's listening
/// socket (`eventserver ctl upgrade`), the HAProxy way: over a unix socket next to the pid file
/// (`PIDFILE.control`, mode 0600, so only the server's own user can connect).
///
///     new → old   TAKEOVER
///     old → new   STATE <0|1> <changed-at> <n> <until|-> <message-hex|-> <ticket-key-hex|->
///                                   + descriptors: n listening sockets, stdout, stderr
///     new → old   READY <pid>                    (the new process serves: the old one drains)
///
/// A single server hands over its one socket; a `--workers` master the `SO_REUSEPORT` socket of
/// each worker, so every per-socket accept queue survives.
///
/// The socket itself travels, not a copy bound anew, so connections waiting in its accept queue
/// are never refused. Until READY the old server changes nothing: a new process that fails
/// (bad binary, bad flags) leaves it serving untouched. The TLS session ticket key travels too,
/// so clients resume their sessions on the new process (the socket is the server's own user's).
public enum Handover {
    /// The control socket's path for a pid file.
    public static func controlPath(forPIDFile path: String) -> String { path + ".control" }

    /// The environment variable through which `ctl upgrade` tells the new process where to ask.
    public static let environmentKey = "EVENTSERVER_TAKEOVER"

    /// The most descriptors one handover carries (sockets plus stdout and stderr).
    static let maxDescriptors: Int32 = 64
}

/// What the new process received from the old one.
public struct TakenOver {
    /// The listening sockets, in the old process's order (one per worker for a group).
    public let listeningSockets: [Int32]
    /// The old process's maintenance state, notice included.
    public let maintenance: MaintenanceSnapshot
    /// The old process's TLS session ticket key, so its clients' sessions resume here; nil when
    /// it served no TLS (or predates the key's handover).
    public let sessionTicketKey: [UInt8]?
    /// The old process's stdout and stderr, so logs keep going where the operator sends them.
    let output: Int32
    let errors: Int32
    private let channel: Int32

    /// When `ctl upgrade` started this process: asks the running server for its sockets and
    /// state (blocking: at start-up, after the configuration was checked). Nil otherwise.
    public static func requestIfAsked() throws -> TakenOver? {
        guard let path = getenv(Handover.environmentKey).map({ String(cString: $0) }) else { return nil }
        unsetenv(Handover.environmentKey)
        return try request(from: path)
    }

    static func request(from path: String) throws -> TakenOver {
        let channel = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard channel >= 0 else { throw HandoverError("cannot create a unix socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(channel, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard UnixSocket.connect(channel, to: path) else {
            let reason = String(cString: strerror(errno))
            close(channel)
            throw HandoverError("cannot reach the running server at \(path): \(reason)")
        }
        guard UnixSocket.send(channel, "TAKEOVER\n") else {
            close(channel)
            throw HandoverError("the running server closed the control socket")
        }
        var descriptors = [Int32](repeating: -1, count: Int(Handover.maxDescriptors))
        var count: Int32 = 0
        var reply = [UInt8](repeating: 0, count: 4096)
        let received = csocket_receive_with_descriptors(channel, &reply, UInt(reply.count), &descriptors, Handover.maxDescriptors, &count)
        let line = received > 0 ? String(decoding: reply[..<received], as: UTF8.self) : ""
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
        let passed = Array(descriptors.prefix(Int(count)))
        // Four fields from a server older than notices; six (planned end, message) from newer
        // ones; seven (the session ticket key) from the newest.
        guard [4, 6, 7].contains(fields.count), fields[0] == "STATE", let since = Int(fields[2]),
            let sockets = Int(fields[3]), sockets >= 1, passed.count == sockets + 2
        else {
            for descriptor in passed { close(descriptor) }
            close(channel)
            throw HandoverError("the running server refused the takeover: \(line.isEmpty ? "no reply" : line)")
        }
        return TakenOver(
            listeningSockets: Array(passed.prefix(sockets)),
            maintenance: MaintenanceSnapshot(
                isActive: fields[1] == "1", changedAt: since,
                notice: fields.count >= 6 ? HandoverNotice.decode(until: fields[4], message: fields[5]) : nil),
            sessionTicketKey: fields.count == 7 ? HandoverNotice.decodeKey(fields[6]) : nil,
            output: passed[sockets], errors: passed[sockets + 1], channel: channel)
    }

    /// From here on, stdout and stderr are the old process's.
    public func adoptOutput() {
        dup2(output, STDOUT_FILENO)
        dup2(errors, STDERR_FILENO)
        close(output)
        close(errors)
    }

    /// Tells the old process this one serves; it then stops accepting and drains.
    public func confirm() {
        _ = UnixSocket.send(channel, "READY \(getpid())\n")
        close(channel)
    }
}

/// HandoverError is why a takeover could not happen; the old server is untouched.
struct HandoverError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "upgrade: " + description }
}

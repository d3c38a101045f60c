import EventServerTesting
import Foundation
import Testing

/// systemd socket activation, done the way systemd does it: a bound, listening socket as fd 3,
/// `LISTEN_FDS=1` and `LISTEN_PID` naming the server's own pid.
@Suite struct SocketActivationTests {
    @Test func aSingleServerServesOnThePassedSocket() throws {
        let (socket, port) = try Self.listeningSocket()
        defer { close(socket) }
        let server = try ActivatedServer(socket: socket, arguments: ["--port", "1"])  // the flag is not used
        try server.waitForLog(containing: "listening on http://127.0.0.1:\(port)")
        #expect(try HTTPConnection(port: port).get("/").status == 200)
        // Connections made while no server runs wait in the socket's queue, as under systemd.
        kill(server.pid, SIGTERM)
        try waitUntilGone(server.pid)
        let waiting = try HTTPConnection(port: port)
        try waiting.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let next = try ActivatedServer(socket: socket, arguments: [])
        #expect(try waiting.readResponse().status == 200)
        kill(next.pid, SIGTERM)
        try waitUntilGone(next.pid)
    }

    @Test func workersShareThePassedSocket() throws {
        let (socket, port) = try Self.listeningSocket()
        defer { close(socket) }
        let server = try ActivatedServer(socket: socket, arguments: ["--workers", "2"])
        try server.waitForLog(containing: "all 2 workers listening on port \(port)")
        for _ in 0..<20 { #expect(try HTTPConnection(port: port).get("/").status == 200) }
        kill(server.pid, SIGTERM)
        try waitUntilGone(server.pid)
    }

    /// A loopback socket bound to a free port and listening, inheritable (no close-on-exec).
    static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard descriptor >= 0, bound, listen(descriptor, 64) == 0 else { throw TestFailure("cannot listen: errno \(errno)") }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// ActivatedServer starts `eventserver` as systemd would: `socket` as fd 3, LISTEN_FDS=1, and
/// LISTEN_PID set by a shell to its own pid just before it execs the server (same pid).
final class ActivatedServer {
    let pid: pid_t
    let logPath = temporaryPath("activated.log")

    init(socket: Int32, arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, socket, 3)
        let script = #"export LISTEN_PID=$$ LISTEN_FDS=1; exec "$0" "$@""#
        let argv = (["/bin/sh", "-c", script, ServerProcess.binaryPath, "--host", "127.0.0.1"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, "/bin/sh", &actions, nil, argv, environ)
        guard result == 0 else { throw TestFailure("posix_spawn failed: \(result)") }
        pid = spawned
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    func waitForLog(containing text: String, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let log = try? String(contentsOfFile: logPath, encoding: .utf8), log.contains(text) { return }
            usleep(10_000)
        }
        throw TestFailure("no log line with \"\(text)\" within \(seconds)s; log:\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
    }
}

import EventServerTesting
import Foundation
import Synchronization
import Testing

/// `eventserver ctl upgrade`: a new process takes over the open listening socket; under load
/// nothing is refused or failed, maintenance crosses over, and a broken build changes nothing.
@Suite struct UpgradeTests {
    @Test func upgradesUnderLoadLoseNothing() throws {
        let pidFile = temporaryPath("upgrade.pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        let load = LoadClient(port: server.port, connections: 4)
        load.start()
        defer { _ = load.stop() }  // also when an expectation throws: the threads must end
        try load.waitForRequests(200)
        var pids = [server.pid]
        for _ in 0..<3 {
            let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
            #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
            let newPID = try #require(PIDFileReader.pid(pidFile))
            #expect(!pids.contains(newPID))
            #expect(upgrade.output.contains("-> pid \(newPID)"))
            pids.append(newPID)
            try load.waitForRequests(load.requests + 200)  // the new process serves the load
        }
        let result = load.stop()
        #expect(result.failures == [], "failed requests: \(result.failures.prefix(5))")
        #expect(result.requests > 800)
        // The replaced processes drain and exit; the last one serves until stopped.
        for old in pids.dropLast() { try waitUntilGone(old) }
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        kill(pids.last!, SIGTERM)
        try waitUntilGone(pids.last!)
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }

    @Test func maintenanceCrossesAnUpgrade() throws {
        let pidFile = temporaryPath("upgrade.pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        // With a notice, and no state file: the notice crosses on the handover itself.
        let on = try runEventserver([
            "ctl", "maintenance", "on", "--pid-file", pidFile, "--message", "new schema, 'soon'", "--until", "+1h",
        ])
        #expect(on.status == 0, "\(on.errors)")
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
        let newPID = try #require(PIDFileReader.pid(pidFile))
        let status = try HTTPConnection(port: server.port).get("/status").text
        #expect(status.contains(#""state":"maintenance""#))
        #expect(status.contains(#""pid":\#(newPID)"#))
        #expect(status.contains(#""message":"new schema, 'soon'""#))
        let page = try HTTPConnection(port: server.port).get("/")
        #expect(page.status == 503)
        #expect(page.text.contains("new schema, &#39;soon&#39;"))
        #expect((3000...3600).contains(Int(page[header: "Retry-After"] ?? "") ?? 0))
        kill(newPID, SIGUSR2)
        try server.waitForState("serving")
        kill(newPID, SIGTERM)
        try waitUntilGone(newPID)
    }

    @Test func aBrokenBuildLeavesTheOldServerServing() throws {
        let pidFile = temporaryPath("upgrade.pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        let broken = temporaryPath("broken-eventserver")
        try "#!/bin/sh\necho 'eventserver: error: this build is broken' >&2\nexit 1\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)
        chmod(broken, 0o755)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile, "--binary", broken])
        #expect(upgrade.status == 1)
        #expect(upgrade.errors.contains("exited with status 1"))
        #expect(upgrade.errors.contains("this build is broken"))
        #expect(upgrade.errors.contains("pid \(server.pid) keeps serving"))
        #expect(PIDFileReader.pid(pidFile) == server.pid)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        // And a later good upgrade still works: the old server was untouched.
        let good = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(good.status == 0, "ctl upgrade: \(good.errors)")
        let newPID = try #require(PIDFileReader.pid(pidFile))
        #expect(newPID != server.pid)
        #expect(try server.waitForExit() == 0)
        kill(newPID, SIGTERM)
        try waitUntilGone(newPID)
    }

    @Test func aWorkerGroupIsUpgradedWhole() throws {
        let pidFile = temporaryPath("upgrade.pid")
        let server = try ServerProcess(["--pid-file", pidFile, "--workers", "2"])
        defer { stopReplacement(namedIn: pidFile, besides: server.pid) }
        try server.waitForLog(containing: "all 2 workers listening")
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let load = LoadClient(port: server.port, connections: 4, expecting: 503)
        load.start()
        defer { _ = load.stop() }  // also when an expectation throws: the threads must end
        try load.waitForRequests(200)
        let upgrade = try runEventserver(["ctl", "upgrade", "--pid-file", pidFile])
        #expect(upgrade.status == 0, "ctl upgrade: \(upgrade.errors)")
        let newMaster = try #require(PIDFileReader.pid(pidFile))
        #expect(newMaster != server.pid)
        try load.waitForRequests(load.requests + 200)
        let result = load.stop()
        #expect(result.failures == [], "failed requests: \(result.failures.prefix(5))")
        #expect(try server.waitForExit() == 0)  // the old master, once its workers drained
        try server.waitForState("maintenance")  // the new group kept the state
        kill(newMaster, SIGTERM)
        try waitUntilGone(newMaster)
    }
}

/// Stops the process the pid file names if it is not `original` (a replacement a failed test
/// would otherwise leave running; ServerProcess stops the original).
func stopReplacement(namedIn pidFile: String, besides original: pid_t) {
    guard let pid = PIDFileReader.pid(pidFile), pid != original else { return }
    kill(pid, SIGTERM)
    try? waitUntilGone(pid)
}

/// Waits (bounded) until `pid` has exited.
func waitUntilGone(_ pid: pid_t, seconds: Double = 20) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if kill(pid, 0) != 0 && errno == ESRCH { return }
        // A zombie child of this test process counts as gone.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") { return }
        usleep(20_000)
    }
    throw TestFailure("pid \(pid) still running after \(seconds)s")
}

enum PIDFileReader {
    static func pid(_ path: String) -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// LoadClient keeps `connections` keep-alive connections busy with `GET /` on threads of its own,
/// reconnecting after a `Connection: close` reply, and records every failure.
final class LoadClient: Sendable {
    let port: Int
    let connections: Int
    private let completed = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    private let failures = Mutex<[String]>([])

    let expectedStatus: Int

    init(port: Int, connections: Int, expecting expectedStatus: Int = 200) {
        self.port = port
        self.connections = connections
        self.expectedStatus = expectedStatus
    }

    var requests: Int { completed.load(ordering: .relaxed) }

    func start() {
        for _ in 0..<connections {
            running.add(1, ordering: .relaxed)
            Thread.detachNewThread { [self] in
                defer { running.subtract(1, ordering: .relaxed) }
                var connection: HTTPConnection?
                while !stopping.load(ordering: .relaxed) {
                    do {
                        let current = try connection ?? HTTPConnection(port: port)
                        connection = current
                        let response = try current.get("/")
                        if response.status != expectedStatus { failures.withLock { $0.append("status \(response.status)") } }
                        completed.add(1, ordering: .relaxed)
                        if response[header: "Connection"]?.lowercased() == "close" { connection = nil }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                        connection = nil
                    }
                }
            }
        }
    }

    func waitForRequests(_ count: Int, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while requests < count {
            guard Date() < deadline else { throw TestFailure("only \(requests) of \(count) requests within \(seconds)s") }
            usleep(10_000)
        }
    }

    func stop() -> (requests: Int, failures: [String]) {
        stopping.store(true, ordering: .relaxed)
        let deadline = Date().addingTimeInterval(10)
        while running.load(ordering: .relaxed) > 0 && Date() < deadline { usleep(10_000) }
        return (requests, failures.withLock { $0 })
    }
}

import EventServerTesting
import Foundation
import Testing

/// `--workers`: one master forwarding signals to single-threaded workers sharing one port.
@Suite struct WorkersTests {
    private func workerPIDs(of master: pid_t) -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    private func waitForWorkers(_ master: pid_t, count: Int, excluding gone: Set<pid_t> = []) throws -> [pid_t] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let pids = workerPIDs(of: master)
            if pids.count == count && gone.isDisjoint(with: pids) { return pids }
            usleep(10_000)
        }
        throw TestFailure("master \(master) did not have \(count) workers within 10 s")
    }

    private func allAnswer(_ status: Int, port: Int, connections: Int = 50) throws -> Bool {
        try (0..<connections).allSatisfy { _ in try HTTPConnection(port: port).get("/").status == status }
    }

    @Test func usr1ReachesEveryWorker() throws {
        let server = try ServerProcess(["--workers", "2"])
        _ = try waitForWorkers(server.pid, count: 2)
        try server.waitForLog(containing: "all 2 workers listening")
        #expect(try allAnswer(200, port: server.port))
        server.send(SIGUSR1)
        try server.waitForLog(containing: "entered maintenance", count: 2)  // each worker says so
        #expect(try allAnswer(503, port: server.port))
        #expect(server.log.components(separatedBy: "entered maintenance").count - 1 == 2)
        server.send(SIGUSR2)
        try server.waitForLog(containing: "left maintenance", count: 2)
        #expect(try allAnswer(200, port: server.port))
    }

    @Test func killedWorkerIsReplacedInTheCurrentState() throws {
        let server = try ServerProcess(["--workers", "2"])
        // Killed before it listens, a worker would end the start (fail fast): wait until both do.
        try server.waitForLog(containing: "all 2 workers listening")
        let before = try waitForWorkers(server.pid, count: 2)
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        kill(before[0], SIGKILL)
        let after = try waitForWorkers(server.pid, count: 2, excluding: [before[0]])
        let replacement = try #require(after.first { !before.contains($0) })
        let listening = try server.waitForLog(containing: "pid \(replacement) listening on")
        #expect(listening.contains("maintenance=true"))
        #expect(try allAnswer(503, port: server.port))
        #expect(server.log.contains("worker pid \(before[0]) was killed by signal 9"))
    }

    @Test func aNoticeReachesEveryWorkerAndAReplacement() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--workers", "2", "--pid-file", pidFile])
        try server.waitForLog(containing: "all 2 workers listening")
        let before = try waitForWorkers(server.pid, count: 2)
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile, "--message", "group notice"])
        #expect(on.status == 0, "\(on.errors)")
        try server.waitForLog(containing: "entered maintenance", count: 2)
        let showsNotice = { try (0..<50).allSatisfy { _ in try HTTPConnection(port: server.port).get("/").text.contains("group notice") } }
        #expect(try showsNotice())
        kill(before[0], SIGKILL)
        let after = try waitForWorkers(server.pid, count: 2, excluding: [before[0]])
        let replacement = try #require(after.first { !before.contains($0) })
        _ = try server.waitForLog(containing: "pid \(replacement) listening on")
        #expect(try showsNotice(), "the master gives a restarted worker the notice in force")
    }

    @Test func termStopsEverythingWithoutOrphans() throws {
        let server = try ServerProcess(["--workers", "2"])
        let workers = try waitForWorkers(server.pid, count: 2)
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
        for pid in workers {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "worker \(pid) outlived its master")
        }
        #expect(server.log.contains("all workers stopped"))
    }

    @Test func masterOwnsThePidFileAndCtlReachesWorkers() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--workers", "2", "--pid-file", pidFile])
        _ = try waitForWorkers(server.pid, count: 2)
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(server.pid)\n")
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile])
        #expect(on.status == 0)
        try server.waitForLog(containing: "entered maintenance", count: 2)
        #expect(try allAnswer(503, port: server.port, connections: 20))
        // ctl names the master (the pid file's), not the worker that happened to answer.
        #expect(on.output.contains("(pid \(server.pid), "), "\(on.output)")
        let status = try runEventserver(["ctl", "status", "--pid-file", pidFile])
        #expect(status.output.hasPrefix("maintenance since "), "\(status.output)")
        #expect(status.output.contains("(pid \(server.pid), "), "\(status.output)")
        #expect(status.output.contains(", 2 of 2 workers agree, "), "\(status.output)")
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }
}

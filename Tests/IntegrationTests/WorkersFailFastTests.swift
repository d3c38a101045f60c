import EventServerTesting
import Foundation
import Testing

/// `--workers` fails fast: a bad configuration stops the master before any fork, and workers
/// that keep dying end the group with exit 1 instead of restarting forever.
@Suite struct WorkersFailFastTests {
    @Test func aBadFlagStopsTheMasterBeforeAnyWorker() throws {
        let result = try runEventserver(["--port", "0", "--workers", "2", "--maintenance-page", "/nonexistent/page.html"])
        #expect(result.status == 1)
        #expect(result.errors == "eventserver: error: cannot read /nonexistent/page.html: No such file or directory\n")
    }

    @Test func aBadCIDRStopsTheMasterToo() throws {
        let result = try runEventserver(["--port", "0", "--workers", "2", "--maintenance-allow", "10.0.0.0/33"])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("eventserver: error: invalid configuration: 10.0.0.0/33"))
    }

    @Test func workersDyingInALoopEndTheGroupWithStatusOne() throws {
        let server = try ServerProcess(["--workers", "2"])
        try server.waitForLog(containing: "all 2 workers listening")
        var killed: Set<pid_t> = []
        // WorkerSupervisor.crashLoopDeaths: 5 deaths within 30 s end the group.
        for _ in 0..<5 {
            guard server.process.isRunning else { break }
            let worker = try waitForWorker(of: server.pid, excluding: killed)
            kill(worker, SIGKILL)
            killed.insert(worker)
        }
        #expect(try server.waitForExit(seconds: 20) == 1)
        #expect(server.log.contains("eventserver: error: workers died 5 times within 30 s; giving up"))
        let orphans = killed.union(childPIDs(of: server.pid)).filter { kill($0, 0) == 0 }
        #expect(orphans.isEmpty)
    }

    private func waitForWorker(of master: pid_t, excluding gone: Set<pid_t>) throws -> pid_t {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let pid = childPIDs(of: master).first(where: { !gone.contains($0) }) { return pid }
            usleep(10_000)
        }
        throw TestFailure("no new worker of \(master) within 10 s")
    }

    private func childPIDs(of master: pid_t) -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }
}

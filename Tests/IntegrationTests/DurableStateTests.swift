import EventServerTesting
import Foundation
import Testing

/// The state file survives a power cut: after the rename, its folder is synced too.
@Suite struct DurableStateTests {
    @Test func theFolderIsSyncedAfterTheRename() throws {
        let folder = temporaryPath("state")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/trace"
        let strace = Process()
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        let pidFile = folder + "/pid"
        strace.arguments = ["-f", "-o", trace, "-e", "trace=openat,rename,fsync", ServerProcess.binaryPath, "--port", "0",
                            "--state-file", folder + "/state.json", "--pid-file", pidFile, "--maintenance"]
        strace.standardError = FileHandle.nullDevice
        try strace.run()
        defer {
            // strace detaches on a signal and its tracee runs on: stop the server by its own pid.
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            } else {
                strace.terminate()
            }
            let deadline = Date().addingTimeInterval(10)
            while strace.isRunning && Date() < deadline { usleep(10_000) }
        }
        // Wait for the event itself (strace writes as it goes, so a line can be half written).
        let deadline = Date().addingTimeInterval(20)
        var synced = false
        while !synced && Date() < deadline {
            let lines = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n")
            synced = Self.folderSyncedAfterRename(lines, folder: folder)
            if !synced { usleep(50_000) }
        }
        #expect(synced, "no fsync of \(folder) after the rename of state.json")
    }

    /// Whether `lines` show `rename(….state.json)`, then the folder opened as a directory, then
    /// an fsync of that descriptor.
    private static func folderSyncedAfterRename(_ lines: [Substring], folder: String) -> Bool {
        guard let rename = lines.firstIndex(where: { $0.contains("rename(") && $0.contains("state.json") }),
            let open = lines[rename...].firstIndex(where: {
                $0.contains("openat(") && $0.contains("\"\(folder)\"") && $0.contains("O_DIRECTORY")
            }),
            let descriptor = lines[open].split(separator: "=").last?.trimmingCharacters(in: .whitespaces),
            Int(descriptor) != nil
        else { return false }
        return lines[open...].contains { $0.contains("fsync(\(descriptor))") }
    }
}

/// With `--workers`, the master is the state file's one writer: no two processes rename the
/// same file at once.
@Suite struct WorkerGroupStateFileTests {
    @Test func onlyTheMasterWritesTheStateFile() throws {
        let folder = temporaryPath("state")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/trace", pidFile = folder + "/pid", stateFile = folder + "/state.json"
        let strace = Process()
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        strace.arguments = ["-f", "-o", trace, "-e", "trace=rename", ServerProcess.binaryPath, "--port", "0",
                            "--workers", "2", "--state-file", stateFile, "--pid-file", pidFile]
        strace.standardError = FileHandle.nullDevice
        try strace.run()
        var master: pid_t = 0
        defer {
            if master > 0 { kill(master, SIGTERM) } else { strace.terminate() }
            let deadline = Date().addingTimeInterval(15)
            while strace.isRunning && Date() < deadline { usleep(10_000) }
        }
        func waitUntil(_ what: String, _ condition: () -> Bool) throws {
            let deadline = Date().addingTimeInterval(20)
            while !condition() {
                guard Date() < deadline else { throw TestFailure("timed out waiting for \(what)") }
                usleep(20_000)
            }
        }
        // The master writes the pid file once every worker serves.
        try waitUntil("the pid file") {
            master = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            return master > 0
        }
        func state() -> String { (try? String(contentsOfFile: stateFile, encoding: .utf8)) ?? "" }
        kill(master, SIGUSR1)
        try waitUntil("maintenance in the state file") { state().contains("\"state\":\"maintenance\"") }
        kill(master, SIGUSR2)
        try waitUntil("serving in the state file") { state().contains("\"state\":\"serving\"") }
        usleep(200_000)  // a worker writing too would have done so by now (it handles the same signal)
        let renames = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.contains("rename(") && $0.contains("state.json") }
        let writers = Set(renames.compactMap { pid_t($0.split(separator: " ").first ?? "") })
        #expect(renames.count >= 3, "start, maintenance, serving: \(renames)")
        #expect(writers == [master], "state file renamed by \(writers), the master is \(master)")
    }
}

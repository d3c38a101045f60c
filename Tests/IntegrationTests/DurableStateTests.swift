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

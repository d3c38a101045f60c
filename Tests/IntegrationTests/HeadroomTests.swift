import EventServerTesting
import Foundation
import Testing

/// At `--max-connections` accepting pauses with descriptors to spare, so requests on the open
/// connections still get their static files (no 404 for want of a descriptor).
@Suite struct HeadroomTests {
    @Test func staticFilesAreServedAtTheConnectionCap() throws {
        let root = temporaryPath("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "hello\n".write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--max-connections", "8", "--root", root])
        let connections = try (0..<8).map { _ in try HTTPConnection(port: server.port) }
        // Every connection asks at once, so every file is open at the same time at the cap.
        for connection in connections { try connection.write("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n") }
        for connection in connections {
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello\n")
        }
        let waiting = try HTTPConnection(port: server.port, timeoutSeconds: 1)
        try waiting.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: HTTPClientError.self) { try waiting.readResponse() }  // the ninth waits
    }
}

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
        let deadline = Date().addingTimeInterval(20)
        var lines: [Substring] = []
        while Date() < deadline {
            lines = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.contains(where: { $0.contains("rename(") && $0.contains("state.json") }), lines.last?.contains("fsync") == true { break }
            usleep(50_000)
        }
        let rename = try #require(lines.firstIndex { $0.contains("rename(") && $0.contains("state.json") })
        let folderOpen = try #require(lines[rename...].firstIndex { $0.contains("openat(") && $0.contains("\"\(folder)\"") && $0.contains("O_DIRECTORY") })
        let descriptor = try #require(lines[folderOpen].split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(lines[folderOpen...].contains { $0.contains("fsync(\(descriptor))") })
    }
}

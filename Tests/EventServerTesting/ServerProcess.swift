@_exported import EventServerClient
import Foundation

/// ServerProcess runs the real `eventserver` binary on a free loopback port and signals it by PID.
public final class ServerProcess {
    public let process = Process()
    public let logPath: String
    public private(set) var port = 0

    /// The binary built next to this test bundle, or `EVENTSERVER_BINARY`.
    public static var binaryPath: String {
        ProcessInfo.processInfo.environment["EVENTSERVER_BINARY"] ?? builtExecutable("eventserver")
    }

    /// The server with async and streaming routes (`Tests/AsyncFixture`), built with the tests.
    public static var asyncFixturePath: String { builtExecutable("AsyncFixture") }

    private static func builtExecutable(_ name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    /// Starts `eventserver --port 0 arguments…` and waits (bounded) for its listening line.
    public init(
        _ arguments: [String] = [], host: String = "127.0.0.1", waitForListening: Bool = true,
        executable: String = ServerProcess.binaryPath, environment: [String: String] = [:]
    ) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("eventserver-\(UUID()).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--host", host, "--port", "0"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if waitForListening {
            let line = try waitForLog(containing: "listening on http")  // http:// or https://
            let portText = line.split(separator: ":").last.map { String($0.prefix { $0.isNumber }) } ?? ""
            guard let bound = Int(portText) else { throw TestFailure("no port in: \(line)") }
            port = bound
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    public var pid: pid_t { process.processIdentifier }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// The first log line containing `text`, waiting up to `seconds`.
    @discardableResult
    public func waitForLog(containing text: String, seconds: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { break }
            usleep(10_000)
        }
        throw TestFailure("no log line with \"\(text)\" within \(seconds)s; log:\n\(log)")
    }

    /// Waits (bounded) until `text` appears in at least `count` log lines.
    public func waitForLog(containing text: String, count: Int, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.split(separator: "\n").filter({ $0.contains(text) }).count >= count { return }
            usleep(10_000)
        }
        throw TestFailure("fewer than \(count) log lines with \"\(text)\" within \(seconds)s; log:\n\(log)")
    }

    /// Polls `/status` until it reports `state`, bounded by `seconds`.
    public func waitForState(_ state: String, seconds: Double = 5) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let response = try? HTTPConnection(port: port).get("/status"),
                response.text.contains("\"state\":\"\(state)\"")
            {
                return
            }
            usleep(5_000)
        }
        throw TestFailure("server did not report state \(state) within \(seconds)s")
    }

    /// The CPU time the server has used so far, user and system, in seconds (`/proc/PID/stat`).
    public func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The fields after the command name, which is in parentheses and may hold spaces.
        guard let close = stat.lastIndex(of: ")") else { throw TestFailure("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("unreadable /proc/\(pid)/stat: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits for the process to exit and returns its exit status.
    public func waitForExit(seconds: Double = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { throw TestFailure("eventserver still running after \(seconds)s") }
        return process.terminationStatus
    }
}

/// Runs `eventserver arguments…` to completion and returns its exit status and output.
public func runEventserver(
    _ arguments: [String], environment: [String: String] = [:]
) throws -> (status: Int32, output: String, errors: String) {
    try runProgram(ServerProcess.binaryPath, arguments, environment: environment)
}

/// Runs the program at `path` (or, without a slash, found on PATH) to completion.
/// `environment` is added to this process's own.
public func runProgram(
    _ path: String, _ arguments: [String], environment: [String: String] = [:]
) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.executableURL = URL(fileURLWithPath: path.contains("/") ? path : "/usr/bin/env")
    process.arguments = path.contains("/") ? arguments : [path] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// A fresh path in the temporary folder.
public func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID())").path
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

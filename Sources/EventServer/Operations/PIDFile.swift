import EventServerSupport

#if canImport(Glibc)
import Glibc
#endif

/// PIDFile records the server's pid for `eventserver ctl` and init systems.
///
/// Claiming refuses a file that names a live process with our own program name (another server
/// is running) and replaces a stale one.
public struct PIDFile: Sendable {
    /// Where the pid is written.
    public let path: String

    /// A pid file at `path` (nothing is written until `claim()`).
    public init(path: String) {
        self.path = path
    }

    /// The pid recorded in the file, if it holds one.
    public func recordedPID() -> Int32? {
        guard let bytes = try? FileBytes.read(path) else { return nil }
        return Int32(String(String(decoding: bytes, as: UTF8.self).trimming([" ", "\n"])))
    }

    /// Writes our pid; throws `alreadyRunning` when the file names a live server, unless this
    /// process is replacing it (`ctl upgrade`).
    public func claim(replacingRunningServer: Bool = false) throws {
        if !replacingRunningServer, let pid = recordedPID(), pid != getpid(),
            Self.isRunning(pid, named: Self.programName(of: getpid()))
        {
            throw AlreadyRunningError(pidFile: path, pid: pid)
        }
        try AtomicFile.write("\(getpid())\n", to: path)
    }

    /// Removes the file if it still names us.
    public func release() {
        if recordedPID() == getpid() { unlink(path) }
    }

    /// Whether `pid` is alive and runs a program called `name` (a recycled pid is not ours).
    public static func isRunning(_ pid: Int32, named name: String?) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let name else { return true }
        return programName(of: pid) == name
    }

    /// The kernel's name for the process (`/proc/PID/comm`).
    public static func programName(of pid: Int32) -> String? {
        guard let bytes = try? FileBytes.read("/proc/\(pid)/comm") else { return nil }
        return String(String(decoding: bytes, as: UTF8.self).trimming([" ", "\n"]))
    }
}

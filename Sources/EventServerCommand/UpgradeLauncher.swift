import CSocketPassing
import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// UpgradeLauncher starts the process that replaces a running server (`ctl upgrade`) and
/// watches it until it serves or fails.
///
/// The new process gets the running server's own arguments (`/proc/PID/cmdline`) and, by
/// default, the binary path it was started from (the file may have been replaced since), in a
/// session of its own so `ctl` can exit. Until the takeover its stderr is a pipe read here: if
/// it exits, what it wrote is the error `ctl` reports; once it has the old server's stdout and
/// stderr, the pipe closes.
struct UpgradeLauncher {
    let oldPID: Int32
    let pidFile: String
    let binary: String?

    /// Starts the new process and waits (up to `seconds`) until the pid file names it.
    func run(waitingUpTo seconds: Double) throws -> Int32 {
        let arguments = try RunningProcess.arguments(of: oldPID)
        let path = try binary ?? RunningProcess.executable(of: oldPID)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ControlError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        // Only the child's stderr may hold the write end, or the pipe never reports the takeover.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let newPID = try spawn(path, arguments, errorsTo: ends[1])
        close(ends[1])
        defer { close(ends[0]) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)

        let deadline = MonotonicClock.seconds() + seconds
        var errors: [UInt8] = []
        var pipeOpen = true
        while MonotonicClock.seconds() < deadline {
            if pipeOpen {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(ends[0], &chunk, chunk.count)
                if count > 0 { errors += chunk[..<count] } else if count == 0 { pipeOpen = false }
            }
            var status: Int32 = 0
            if waitpid(newPID, &status, WNOHANG) == newPID {
                let text = String(String(decoding: errors, as: UTF8.self).trimming([" ", "\n"]))
                let code = (status & 0x7f) == 0 ? "status \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
                throw ControlError(
                    "upgrade failed: the new process (\(path)) exited with \(code); pid \(oldPID) keeps serving"
                        + (text.isEmpty ? "" : "\n" + text))
            }
            if !pipeOpen, PIDFile(path: pidFile).recordedPID() == newPID { return newPID }
            usleep(10_000)
        }
        kill(newPID, SIGTERM)
        throw ControlError("upgrade failed: the new process did not take over within \(seconds) s; pid \(oldPID) keeps serving")
    }

    /// Marks every descriptor above stderr close-on-exec: a long-lived server must not keep
    /// `ctl`'s inherited ones open (a caller waiting for `ctl`'s output to end would hang).
    private static func closeInheritedDescriptorsOnExec() {
        guard let folder = opendir("/proc/self/fd") else { return }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name), descriptor > STDERR_FILENO { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
    }

    private func spawn(_ path: String, _ arguments: [String], errorsTo pipe: Int32) throws -> Int32 {
        Self.closeInheritedDescriptorsOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe, STDERR_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(csocket_spawn_setsid_flag()) | Int16(POSIX_SPAWN_SETSIGMASK))

        let control = Handover.controlPath(forPIDFile: pidFile)
        var environment = ProcessEnvironment.current.filter { !$0.hasPrefix(Handover.environmentKey + "=") }
        environment.append("\(Handover.environmentKey)=\(control)")
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ControlError("cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// ProcessEnvironment reads this process's environment as `NAME=value` strings.
enum ProcessEnvironment {
    static var current: [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }
}

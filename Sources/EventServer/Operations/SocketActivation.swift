import EventServerSupport

#if canImport(Glibc)
import Glibc
#endif

/// SocketActivation reads the listening socket systemd passes (the sd_listen_fds protocol,
/// without libsystemd): `LISTEN_PID` names this process and `LISTEN_FDS` counts descriptors
/// from 3 on.
///
/// With a socket unit, systemd holds the socket while the service restarts, so connections wait
/// in its queue instead of being refused.
enum SocketActivation {
    /// The first descriptor systemd passed to this process, or nil. Read once, in the process
    /// systemd started: forked workers see the master's answer and share the socket.
    static let inherited: Int32? = listeningSocket()

    /// Clears the variables, as sd_listen_fds does, so children do not read them.
    private static func listeningSocket() -> Int32? {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = getenv("LISTEN_PID").flatMap({ Int32(String(cString: $0)) }), pid == getpid(),
            let count = getenv("LISTEN_FDS").flatMap({ Int(String(cString: $0)) }), count >= 1
        else { return nil }
        let first: Int32 = 3
        _ = fcntl(first, F_SETFD, FD_CLOEXEC)
        return first
    }
}

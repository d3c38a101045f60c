import CEvent
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// ConnectionLimit caps open connections with the descriptor limit, and keeps a full server from
/// spinning when it reaches it.
///
/// evhttp 2.1 has no connection hook at accept time, so the cap is the process's descriptor
/// limit: `maxConnections` plus the descriptors already open plus a small spare for static file
/// transfers and logs. When `accept()` then fails for lack of descriptors, libevent would retry
/// on every loop pass (a busy loop); instead accepting pauses for 100 ms and new connections
/// wait in the kernel's backlog until one frees.
enum ConnectionLimit {
    /// Descriptors kept free beyond the cap, for files being served and logs being reopened.
    static let spareDescriptors = 16

    // Loop-thread only, one server per process: libevent's error callback carries evhttp's
    // context, not ours, so these two are the one place state lives outside the server.
    nonisolated(unsafe) static var acceptPauses = 0
    nonisolated(unsafe) private(set) static var guardedListener: OpaquePointer?

    /// Sets the descriptor limit for `maxConnections` connections; returns the connection cap
    /// really in force (lower when the hard limit does not allow more).
    static func apply(maxConnections: Int, logger: Logger) -> Int {
        let inUse = openDescriptors()
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(maxConnections + inUse + spareDescriptors)
        var updated = limit
        updated.rlim_cur = wanted
        if wanted > limit.rlim_max {
            updated.rlim_max = wanted  // allowed as root; otherwise fall back to the hard limit
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &updated) == 0 { return maxConnections }
            updated = limit
            updated.rlim_cur = limit.rlim_max
            let cap = max(0, Int(limit.rlim_max) - inUse - spareDescriptors)
            logger.warning("descriptor limit allows only \(cap) connections", metadata: ["max_connections": "\(maxConnections)"])
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &updated)
            return cap
        }
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &updated)
        return maxConnections
    }

    /// Pauses `listener` instead of spinning when accept fails for lack of descriptors.
    static func guardAccepting(on listener: OpaquePointer) {
        guardedListener = listener
        evconnlistener_set_error_cb(listener, acceptFailed)
    }

    /// Called when the listener is freed: a pending resume must not touch it.
    static func stopGuarding() {
        guardedListener = nil
    }

    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 16 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }
}

private func acceptFailed(_ listener: OpaquePointer?, _: UnsafeMutableRawPointer?) {
    let error = errno
    guard let listener, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error) else { return }
    evconnlistener_disable(listener)
    ConnectionLimit.acceptPauses += 1
    var pause = timeval(tv_sec: 0, tv_usec: 100_000)
    event_base_once(evconnlistener_get_base(listener), -1, Int16(EV_TIMEOUT), resumeAccepting, UnsafeMutableRawPointer(listener), &pause)
}

private func resumeAccepting(_: Int32, _: Int16, _ argument: UnsafeMutableRawPointer?) {
    guard let argument, let listener = ConnectionLimit.guardedListener,
        UnsafeMutableRawPointer(listener) == argument
    else { return }
    evconnlistener_enable(listener)
}

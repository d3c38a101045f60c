#if canImport(Glibc)
import Glibc
#endif

/// DescriptorLimit raises the process's descriptor limit so the connection cap can be reached
/// with descriptors to spare.
///
/// The transport pauses accepting at the cap itself (see `ConnectionTracker`); the limit adds the
/// descriptors already open and a spare for files being served and logs being reopened, so
/// `accept()` never takes the descriptors those need.
public enum DescriptorLimit {
    /// Descriptors kept free beyond the cap, for files being served and logs being reopened.
    static let spareDescriptors = 16

    /// Sets the descriptor limit for `maxConnections` connections; returns the connection cap
    /// really in force (lower when the hard limit does not allow more).
    public static func apply(maxConnections: Int) -> Int {
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
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &updated)
            return max(0, Int(limit.rlim_max) - inUse - spareDescriptors)
        }
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &updated)
        return maxConnections
    }

    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 16 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }
}

import CEvent

#if canImport(Glibc)
import Glibc
#endif

/// LibeventRuntime says which libevent the transport runs on, and which of its tuned paths are in
/// effect there.
///
/// The transport was written against libevent 2.1 (Debian 12's 2.1.12): three of its paths lean
/// on that series' internals rather than its documented API — replies written within the pass
/// (`WriteThrough`: the change list cancelling an add and a delete), a socket kept registered for
/// reading (`ReadInterest`: libevent's count of a descriptor's readers) and the joined reply head
/// (`ReplyHead`: private allocation functions and the header list's layout). Each is used only
/// where the library loaded at run time is of that series and exports what it needs; anywhere
/// else, or when `EVENTSERVER_PLAIN_LIBEVENT=1` asks for it, the transport keeps to the public API
/// (evhttp writes its own replies, adds its own headers) and stays correct, only slower.
///
/// The application's own choices (the `LibeventTuning` product: libevent's memory from free
/// lists, three libevent functions defined again) are reported too, as found: linked or not, and
/// for the functions, whether libevent's calls really reach them.
public struct LibeventRuntime: Sendable {
    /// The library this process runs on, measured once.
    public static let current = LibeventRuntime(plainRequested: getenv("EVENTSERVER_PLAIN_LIBEVENT").map { String(cString: $0) })

    /// The series the tuned paths were written for (major, minor).
    static let supportedSeries: (major: UInt32, minor: UInt32) = (2, 1)

    /// `event_get_version()` of the loaded library, such as `2.1.12-stable`.
    public let version: String
    /// `event_get_version_number()` of the loaded library (`0x02010c00` for 2.1.12).
    public let versionNumber: UInt32
    /// Whether the transport uses its tuned paths; when not, `plainReason` says why.
    public let usesTunedPaths: Bool
    /// Why the transport keeps to libevent's public API; nil while it uses its tuned paths.
    public let plainReason: String?
    /// Whether libevent allocates from the free lists; nil: the application did not link them.
    public let freeListAllocator: Bool?
    /// The overrides libevent's calls reach, by function name; nil: the application did not link them.
    public let overridesReached: [String]?

    /// The three functions the tuning product defines again, in the order of their bits.
    static let overrideNames = ["evbuffer_add_printf", "evutil_ascii_strcasecmp", "evbuffer_read"]

    /// `plainRequested`: the value of `EVENTSERVER_PLAIN_LIBEVENT`, if set.
    init(plainRequested: String?) {
        version = String(cString: event_get_version())
        versionNumber = event_get_version_number()
        let major = versionNumber >> 24, minor = (versionNumber >> 16) & 0xFF
        let forcedPlain = plainRequested.map { !$0.isEmpty && $0 != "0" } ?? false
        if forcedPlain {
            plainReason = "EVENTSERVER_PLAIN_LIBEVENT is set"
        } else if (major, minor) != Self.supportedSeries {
            plainReason = "libevent \(version) is not the \(Self.supportedSeries.major).\(Self.supportedSeries.minor) series the tuned paths were written for"
        } else if cevent_has_private_allocation() == 0 {
            plainReason = "libevent \(version) does not export event_mm_malloc_ and its siblings"
        } else {
            plainReason = nil
        }
        usesTunedPaths = plainReason == nil
        let allocator = cevent_tuning_allocator_state()
        freeListAllocator = allocator < 0 ? nil : allocator == 1
        let reached = cevent_tuning_overrides_reached()
        overridesReached = reached < 0 ? nil : Self.overrideNames.indices.filter { reached & (1 << $0) != 0 }.map { Self.overrideNames[$0] }
    }

    /// The overrides that are linked but that libevent's calls do not reach.
    public var overridesMissed: [String] {
        guard let overridesReached else { return [] }
        return Self.overrideNames.filter { !overridesReached.contains($0) }
    }

    /// One phrase for the start-up line and `--version`: the version, then what is in effect
    /// (`2.1.12-stable (tuned paths, free-list allocator, 3 overrides reached)`).
    public var summary: String {
        var parts = [usesTunedPaths ? "tuned paths" : "plain paths"]
        switch freeListAllocator {
        case true?: parts.append("free-list allocator")
        case false?: parts.append("system allocator (EVENTSERVER_SYSTEM_ALLOCATOR)")
        case nil: parts.append("system allocator")
        }
        switch overridesReached {
        case let reached? where reached.count == Self.overrideNames.count: parts.append("3 overrides reached")
        case let reached?: parts.append("\(reached.count) of 3 overrides reached")
        case nil: parts.append("no overrides")
        }
        return "\(version) (\(parts.joined(separator: ", ")))"
    }

    /// The lines to log once at start-up when something the transport or the application asked
    /// for does not hold; empty when everything does.
    public var warnings: [String] {
        var lines: [String] = []
        if let plainReason {
            lines.append("\(plainReason): using libevent's plain paths")
        }
        let missed = overridesMissed
        if !missed.isEmpty {
            lines.append("libevent's calls do not reach this executable's \(missed.joined(separator: ", ")): libevent's own run instead")
        }
        return lines
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// UTCTime formats Unix timestamps without Foundation.
public enum UTCTime {
    /// `2026-11-25T17:22:06Z`.
    public static func iso8601(_ seconds: Int) -> String {
        format(seconds, "%Y-%m-%dT%H:%M:%SZ")
    }

    /// The IMF-fixdate of HTTP's `Date` header: `Wed, 25 Nov 2026 17:22:06 GMT`.
    public static func httpDate(_ seconds: Int) -> String {
        format(seconds, "%a, %d %b %Y %H:%M:%S GMT")
    }

    private static func format(_ seconds: Int, _ pattern: String) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import HTTPCore

/// HTTPDateCache keeps the `Date` header value, formatting it at most once per second.
///
/// evhttp would otherwise call gmtime and strftime for every reply.
struct HTTPDateCache {
    private var second = -1
    private(set) var value = ""

    /// Returns the header value for `now` (Unix seconds), reformatting only when it changed.
    mutating func value(at now: Int) -> String {
        if now != second {
            second = now
            value = UTCTime.httpDate(now)
        }
        return value
    }
}

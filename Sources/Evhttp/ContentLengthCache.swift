/// ContentLengthCache keeps the decimal text of the last `Content-Length` written.
///
/// Handing evhttp the header saves its own `snprintf` and header search on every reply; replies
/// of one route mostly share a length, so the text is rebuilt only when the length changes.
struct ContentLengthCache {
    private var length = -1
    private var text = ""

    /// The header value for `length`.
    mutating func value(for length: Int) -> String {
        if length != self.length {
            self.length = length
            text = String(length)
        }
        return text
    }
}

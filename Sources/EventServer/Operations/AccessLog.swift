import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// AccessLogFormat is how `AccessLog` writes a line (`--access-log-format`).
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// Combined Log Format, as Apache and nginx write it (the request id, when there is one,
    /// quoted at the end).
    case combined
    /// One JSON object a line, for log shippers (Loki, Elasticsearch, Datadog).
    case json
}

/// AccessLog writes one line per reply, buffered, in the Combined Log Format or as JSON.
///
/// Lines are appended to an in-memory buffer and written with one `write` when it fills, once a
/// second (the server's timer calls `flush()`), on reopen and at exit, so logging costs no
/// system call per request. `reopen()` follows a rename by logrotate. Loop-confined.
public final class AccessLog {
    private let path: String
    /// How lines are written.
    public let format: AccessLogFormat
    @exclusivity(unchecked) private var descriptor: Int32
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var stampSecond = -1
    @exclusivity(unchecked) private var stamp: [UInt8] = []
    @exclusivity(unchecked) private var rfc3339Second = -1
    @exclusivity(unchecked) private var rfc3339Stamp: [UInt8] = []

    private static let flushThreshold = 64 * 1024

    /// Opens `path` for appending; `-` means standard output.
    public init(path: String, format: AccessLogFormat = .combined) throws {
        self.path = path
        self.format = format
        descriptor = try Self.open(path)
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    deinit {
        flush()
        if path != "-" { close(descriptor) }
    }

    /// What one line says: `request` is nil for a request refused before parsing; `gated`, the
    /// maintenance gate answered instead of the route; `microseconds`, from the request handed
    /// up to its reply made (JSON only).
    public struct Entry {
        /// The request; nil for one refused before it was parsed.
        public var request: Request?
        /// The client's address.
        public var peer: String?
        /// The reply's status code.
        public var status: Int
        /// The body bytes sent (0 for HEAD).
        public var bytes: Int
        /// Whether the maintenance gate answered instead of the route.
        public var gated = false
        /// Microseconds from the request handed up to its reply made (0 when not timed).
        public var microseconds = 0

        /// An entry with every field given.
        public init(request: Request?, peer: String?, status: Int, bytes: Int, gated: Bool = false, microseconds: Int = 0) {
            self.request = request
            self.peer = peer
            self.status = status
            self.bytes = bytes
            self.gated = gated
            self.microseconds = microseconds
        }
    }

    /// Appends the line for one reply; `now` is the loop's second (the combined format's stamp).
    public func record(_ entry: Entry, now: Int) {
        switch format {
        case .combined: appendCombined(entry, now: now)
        case .json: appendJSON(entry)
        }
        if buffer.count >= Self.flushThreshold { flush() }
    }

    /// Appends a Combined Log Format line for one reply.
    public func record(_ request: Request?, peer: String?, status: Int, bytes: Int, now: Int) {
        record(Entry(request: request, peer: peer, status: status, bytes: bytes), now: now)
    }

    private func appendCombined(_ entry: Entry, now: Int) {
        let request = entry.request
        append(entry.peer ?? "-")
        append(" - - [")
        if now != stampSecond {
            stampSecond = now
            stamp = Array(Self.timestamp(now).utf8)
        }
        buffer.append(contentsOf: stamp)
        append("] \"")
        if let request {
            append(request.method.rawValue)
            append(" ")
            appendEscaped(request.path)
            if let query = request.rawQuery {
                append("?")
                appendEscaped(query)
            }
            append(Self.protocolName(request, prefix: " "))
        } else {
            append("-")
        }
        append("\" ")
        append(String(entry.status))
        append(" ")
        append(entry.bytes > 0 ? String(entry.bytes) : "-")
        append(" \"")
        appendEscaped(request?.headers["Referer"] ?? "-")
        append("\" \"")
        appendEscaped(request?.headers["User-Agent"] ?? "-")
        append("\"")
        if let id = request?.requestID {
            append(" \"")
            appendEscaped(id)
            append("\"")
        }
        append("\n")
    }

    private func appendJSON(_ entry: Entry) {
        let request = entry.request
        append("{\"time\":\"")
        let milliseconds = Self.wallClockMilliseconds()
        if milliseconds / 1000 != rfc3339Second {
            rfc3339Second = milliseconds / 1000
            rfc3339Stamp = Array(UTCTime.iso8601(rfc3339Second).dropLast().utf8)  // without its Z
        }
        buffer.append(contentsOf: rfc3339Stamp)
        let fraction = milliseconds % 1000
        buffer.append(UInt8(ascii: "."))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        append("Z\",\"client\":")
        appendJSONString(entry.peer)
        append(",\"method\":")
        appendJSONString(request?.method.rawValue)
        append(",\"target\":")
        if let request {
            buffer.append(UInt8(ascii: "\""))
            appendJSONEscaped(request.path)
            if let query = request.rawQuery {
                append("?")
                appendJSONEscaped(query)
            }
            buffer.append(UInt8(ascii: "\""))
        } else {
            append("null")
        }
        append(",\"protocol\":")
        append(request.map { "\"" + Self.protocolName($0, prefix: "") + "\"" } ?? "null")
        append(",\"status\":")
        append(String(entry.status))
        append(",\"bytes\":")
        append(String(entry.bytes))
        append(",\"duration_us\":")
        append(String(entry.microseconds))
        append(",\"referer\":")
        appendJSONString(request?.headers["Referer"])
        append(",\"user_agent\":")
        appendJSONString(request?.headers["User-Agent"])
        append(",\"request_id\":")
        appendJSONString(request?.requestID)
        append(entry.gated ? ",\"gate\":true}\n" : ",\"gate\":false}\n")
    }

    /// Writes what is buffered.
    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                break  // disk full or closed: drop rather than block the loop or grow forever
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, then reopens the file by name (after logrotate renamed it).
    public func reopen() throws {
        flush()
        guard path != "-" else { return }
        let reopened = try Self.open(path)
        close(descriptor)
        descriptor = reopened
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Quotes, backslashes and control bytes become `\xHH`, so a client cannot forge log lines.
    private func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.append(contentsOf: Array("\\x".utf8))
                buffer.append(Self.hexDigits[Int(byte >> 4)])
                buffer.append(Self.hexDigits[Int(byte & 0xF)])
            } else {
                buffer.append(byte)
            }
        }
    }

    /// `HTTP/1.1`, `HTTP/1.0` or `HTTP/2.0`, after `prefix`.
    private static func protocolName(_ request: Request, prefix: String) -> String {
        if request.majorVersion == 2 { return prefix + "HTTP/2.0" }
        return prefix + (request.minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1")
    }

    /// `text` as a JSON string, or `null`.
    private func appendJSONString(_ text: String?) {
        guard let text else { return append("null") }
        buffer.append(UInt8(ascii: "\""))
        appendJSONEscaped(text)
        buffer.append(UInt8(ascii: "\""))
    }

    /// `"`, `\\` and control bytes escaped (RFC 8259 §7); the rest is the string's UTF-8, valid
    /// whatever the client sent (its bytes were decoded with replacement characters).
    private func appendJSONEscaped(_ text: String) {
        for byte in text.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.append(contentsOf: Array("\\u00".utf8))
                buffer.append(Self.hexDigits[Int(byte >> 4)])
                buffer.append(Self.hexDigits[Int(byte & 0xF)])
            } else {
                buffer.append(byte)
            }
        }
    }

    /// Milliseconds since the Unix epoch (`clock_gettime`, no system call through the vDSO).
    private static func wallClockMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `25/Nov/2026:17:22:06 +0000`.
    static func timestamp(_ seconds: Int) -> String {
        let date = UTCTime.httpDate(seconds)  // "Wed, 25 Nov 2026 17:22:06 GMT"
        let parts = date.split(separator: " ")
        return "\(parts[1])/\(parts[2])/\(parts[3]):\(parts[4]) +0000"
    }

    private static func open(_ path: String) throws -> Int32 {
        if path == "-" { return STDOUT_FILENO }
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        return descriptor
    }
}

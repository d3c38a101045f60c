import EventServerSupport
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// AccessLog writes one Combined Log Format line per reply, buffered.
///
/// Lines are appended to an in-memory buffer and written with one `write` when it fills, once a
/// second (the server's timer calls `flush()`), on reopen and at exit, so logging costs no
/// system call per request. `reopen()` follows a rename by logrotate. Loop-confined.
public final class AccessLog {
    private let path: String
    @exclusivity(unchecked) private var descriptor: Int32
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var stampSecond = -1
    @exclusivity(unchecked) private var stamp: [UInt8] = []

    private static let flushThreshold = 64 * 1024

    /// Opens `path` for appending; `-` means standard output.
    public init(path: String) throws {
        self.path = path
        descriptor = try Self.open(path)
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    deinit {
        flush()
        if path != "-" { close(descriptor) }
    }

    /// Appends the line for one reply. `request` is nil for a request refused before parsing.
    public func record(_ request: Request?, peer: String?, status: Int, bytes: Int, now: Int) {
        append(peer ?? "-")
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
            append(request.minorVersion == 0 ? " HTTP/1.0" : " HTTP/1.1")
        } else {
            append("-")
        }
        append("\" ")
        append(String(status))
        append(" ")
        append(bytes > 0 ? String(bytes) : "-")
        append(" \"")
        appendEscaped(request?.headers["Referer"] ?? "-")
        append("\" \"")
        appendEscaped(request?.headers["User-Agent"] ?? "-")
        append("\"\n")
        if buffer.count >= Self.flushThreshold { flush() }
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

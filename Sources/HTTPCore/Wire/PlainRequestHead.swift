#if canImport(Glibc)
import Glibc
#endif

/// PlainRequestHead reads a request the transport can answer without evhttp's parser: a whole
/// head and nothing after it, `GET` or `HEAD`, exactly `HTTP/1.1`, an origin-form target, and no
/// field that changes the body or the connection (`Content-Length`, `Transfer-Encoding`,
/// `Connection`, `Expect`). For anything else `parse` returns nil and evhttp parses the bytes as
/// before.
///
/// The bytes were already checked by `RequestScanner` (syntax, control characters, folding,
/// `Host`), so this only splits them, into the values evhttp's parser would give: a field value
/// loses its leading spaces and its trailing spaces and tabs (`evhttp_parse_headers_`), a target
/// beginning `//` is left to evhttp (it reads an authority there).
package struct PlainRequestHead {
    package let method: HTTPMethod
    /// The request target's bytes, within the parsed buffer.
    package let target: UnsafeRawBufferPointer

    /// The head in `bytes`, its fields written over `headers` from the first (which is left
    /// holding them, or anything when the result is nil).
    package static func parse(_ bytes: UnsafeRawBufferPointer, into headers: inout HTTPHeaders) -> PlainRequestHead? {
        guard let base = bytes.baseAddress else { return nil }
        var lines = Lines(base: base, count: bytes.count)
        guard let requestLine = lines.next() else { return nil }
        let method: HTTPMethod
        let targetStart: Int
        if requestLine.begins(with: "GET /") {
            (method, targetStart) = (.get, 4)
        } else if requestLine.begins(with: "HEAD /") {
            (method, targetStart) = (.head, 5)
        } else {
            return nil
        }
        let version: StaticString = " HTTP/1.1"
        let versionStart = requestLine.count - version.utf8CodeUnitCount
        guard versionStart > targetStart,
            UnsafeRawBufferPointer(rebasing: requestLine[versionStart...]).begins(with: version)
        else { return nil }
        let target = UnsafeRawBufferPointer(rebasing: requestLine[targetStart..<versionStart])
        if target.count > 1 && target[1] == UInt8(ascii: "/") { return nil }
        var filled = 0
        while let line = lines.next() {
            if line.isEmpty {
                guard lines.isAtEnd else { return nil }  // a pipelined request follows
                headers.truncate(to: filled)
                return PlainRequestHead(method: method, target: target)
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            if changesFraming(name) { return nil }
            var valueStart = colon + 1
            while valueStart < line.count && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            var valueEnd = line.count
            while valueEnd > valueStart && (line[valueEnd - 1] == UInt8(ascii: " ") || line[valueEnd - 1] == UInt8(ascii: "\t")) {
                valueEnd -= 1
            }
            headers.overwrite(at: filled, name: name, value: UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]))
            filled += 1
        }
        return nil  // the head did not end
    }

    private static func changesFraming(_ name: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 6: name.equalsIgnoringASCIICase("expect")
        case 10: name.equalsIgnoringASCIICase("connection")
        case 14: name.equalsIgnoringASCIICase("content-length")
        case 17: name.equalsIgnoringASCIICase("transfer-encoding")
        default: false
        }
    }

    /// The lines of a head, each without its LF or CRLF.
    private struct Lines {
        let base: UnsafeRawPointer
        let count: Int
        var offset = 0

        var isAtEnd: Bool { offset == count }

        mutating func next() -> UnsafeRawBufferPointer? {
            guard offset < count, let newline = memchr(base + offset, Int32(UInt8(ascii: "\n")), count - offset) else {
                return nil
            }
            let end = UnsafeRawPointer(newline) - base
            var line = UnsafeRawBufferPointer(start: base + offset, count: end - offset)
            if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            offset = end + 1
            return line
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes begin with `prefix`'s, compared with `memcmp` (the generic `starts(with:)`
    /// costs several times as many instructions on every request).
    fileprivate func begins(with prefix: StaticString) -> Bool {
        count >= prefix.utf8CodeUnitCount && memcmp(baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }
}

/// PercentDecoding decodes `%XX` escapes in paths and query strings.
public enum PercentDecoding {
    /// The decoded segments of an absolute path (`/a/b%20c` → `["a", "b c"]`), split before
    /// decoding so an encoded `%2F` stays inside its segment; nil for a path that does not begin
    /// with `/`, a malformed escape or a decoded NUL.
    public static func pathSegments(_ path: String) -> [String]? {
        var path = path
        // Scanned as contiguous bytes with integer offsets: the UTF-8 view's index arithmetic
        // cost several times as much on every routed request.
        return path.withUTF8 { segments(of: $0) }
    }

    private static func segments(of bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        let slash = UInt8(ascii: "/")
        guard bytes.first == slash else { return nil }
        var count = 0
        for byte in bytes where byte == slash { count += 1 }
        var segments: [String] = []
        segments.reserveCapacity(count)
        var start = 1
        while true {
            var end = start
            while end < bytes.count && bytes[end] != slash { end += 1 }
            guard let segment = decode(UnsafeBufferPointer(rebasing: bytes[start..<end]), plusIsSpace: false) else { return nil }
            segments.append(segment)
            guard end < bytes.count else { return segments }
            start = end + 1
        }
    }

    /// Decodes `text`; `+` becomes a space when `plusIsSpace` (form encoding). Nil for a
    /// malformed escape or a decoded NUL.
    public static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
        decode(text.utf8, plusIsSpace: plusIsSpace)
    }

    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusIsSpace: Bool) -> String? {
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex else { return nil }
                let low = bytes.index(after: high)
                guard low != bytes.endIndex, let h = hexValue(bytes[high]), let l = hexValue(bytes[low]) else { return nil }
                let value = h << 4 | l
                guard value != 0 else { return nil }
                decoded.append(value)
                index = bytes.index(after: low)
                continue
            }
            decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = bytes.index(after: index)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// PercentDecoding decodes `%XX` escapes in paths and query strings.
public enum PercentDecoding {
    /// The decoded segments of an absolute path (`/a/b%20c` → `["a", "b c"]`), split before
    /// decoding so an encoded `%2F` stays inside its segment; nil for a malformed escape or a
    /// decoded NUL.
    public static func pathSegments(_ path: String) -> [String]? {
        let bytes = path.utf8
        let slash = UInt8(ascii: "/")
        var segments: [String] = []
        segments.reserveCapacity(bytes.reduce(0) { $1 == slash ? $0 + 1 : $0 })
        // A hand-written scan: `split` would allocate an array of slices on every request.
        var start = bytes.index(after: bytes.startIndex)
        while true {
            let end = bytes[start...].firstIndex(of: slash) ?? bytes.endIndex
            guard let segment = decode(bytes[start..<end], plusIsSpace: false) else { return nil }
            segments.append(segment)
            guard end != bytes.endIndex else { return segments }
            start = bytes.index(after: end)
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

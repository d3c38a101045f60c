/// ChunkSizeLine reads a chunk-size line: hexadecimal digits, then optional whitespace.
enum ChunkSizeLine {
    enum Parsed: Equatable {
        case size(Int)
        case invalid(RequestViolation)
    }

    /// At most 15 hexadecimal digits: sizes beyond that overflow evhttp's 64-bit arithmetic.
    static let maxDigits = 15

    static func parse(_ line: UnsafeRawBufferPointer) -> Parsed {
        var size = 0
        var index = 0
        while index < line.count, ByteClass.hexDigit.contains(line[index]) {
            guard index < maxDigits else { return .invalid(.malformedChunk) }
            size = size << 4 | hexValue(line[index])
            index += 1
        }
        guard index > 0 else { return .invalid(.malformedChunk) }
        while index < line.count && (line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t")) { index += 1 }
        guard index == line.count else {
            return .invalid(line[index] == UInt8(ascii: ";") ? .chunkExtension : .malformedChunk)
        }
        return .size(size)
    }

    private static func hexValue(_ digit: UInt8) -> Int {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(digit &- UInt8(ascii: "0"))
        default: Int((digit | 0x20) &- UInt8(ascii: "a")) + 10
        }
    }
}

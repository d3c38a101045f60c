/// FieldLine checks one header or trailer field line: `token ":" OWS value OWS`.
enum FieldLine {
    enum Check: Equatable {
        /// A valid line; the name ends before `colon`.
        case valid(colon: Int)
        /// A control character in the value.
        case controlCharacter
        /// Obsolete folding, no colon, an empty name or a name that is not a token.
        case invalid
    }

    static func check(_ line: UnsafeRawBufferPointer) -> Check {
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else { return .invalid }
        var index = 0
        while index < line.count && line[index] != UInt8(ascii: ":") {
            guard ByteClass.token.contains(line[index]) else { return .invalid }
            index += 1
        }
        guard index > 0, index < line.count else { return .invalid }
        let colon = index
        index += 1
        while index < line.count {
            guard ByteClass.isFieldValueByte(line[index]) else { return .controlCharacter }
            index += 1
        }
        return .valid(colon: colon)
    }

    /// The value without its optional whitespace.
    static func value(of line: UnsafeRawBufferPointer, colon: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]).trimmingOptionalWhitespace
    }
}

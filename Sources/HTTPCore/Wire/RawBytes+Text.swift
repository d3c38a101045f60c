extension UnsafeRawBufferPointer {
    /// The bytes without HTTP's optional whitespace (spaces and tabs) at either end.
    var trimmingOptionalWhitespace: UnsafeRawBufferPointer {
        var start = 0
        var end = count
        while start < end && (self[start] == UInt8(ascii: " ") || self[start] == UInt8(ascii: "\t")) { start += 1 }
        while end > start && (self[end - 1] == UInt8(ascii: " ") || self[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[start..<end])
    }

    /// Whether the bytes spell `lowercase`, ASCII letters compared without case.
    func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for index in 0..<count where self[index].asciiLowercased != expected[index] { return false }
        return true
    }
}

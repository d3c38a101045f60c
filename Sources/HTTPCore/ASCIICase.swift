// Header names compare without case; these run for every header of every request, in several
// modules, hence inlinable.

extension String {
    /// Whether two strings are equal when ASCII letters are compared without case.
    @inlinable
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        // Different lengths are the common case on the hot path (`Host` against `Content-Length`).
        guard utf8.count == other.utf8.count else { return false }
        // Byte by byte over contiguous storage: `UTF8View`'s iterator costs tens of instructions
        // a byte (callgrind), a buffer's loop a few.
        let contiguous = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right in
                for index in left.indices where left[index] != right[index] {
                    if left[index].asciiLowercased != right[index].asciiLowercased { return false }
                }
                return true
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return zip(utf8, other.utf8).allSatisfy { $0 == $1 || $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension UInt8 {
    @inlinable
    package var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}

// Header names compare without case; these run for every header of every request, in several
// modules, hence inlinable.

extension String {
    /// Whether two strings are equal when ASCII letters are compared without case.
    @inlinable
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        // Different lengths are the common case on the hot path (`Host` against `Content-Length`).
        guard utf8.count == other.utf8.count else { return false }
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case let (a?, b?):
                if a != b && a.asciiLowercased != b.asciiLowercased { return false }
            default: return false
            }
        }
    }
}

extension UInt8 {
    @inlinable
    package var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}

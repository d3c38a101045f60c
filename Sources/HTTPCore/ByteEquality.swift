#if canImport(Glibc)
import Glibc
#endif

// Byte-for-byte equality, for a writer that reuses bytes it made from earlier strings: Swift's
// `==` compares canonical equivalence, which calls two spellings of one accented value equal.

extension String {
    /// Whether both strings hold the same UTF-8 bytes (`==` compares canonical equivalence).
    package func hasSameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        guard !isEmpty else { return true }
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable {
                $0.baseAddress == mine.baseAddress || memcmp(mine.baseAddress!, $0.baseAddress!, mine.count) == 0
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return utf8.elementsEqual(other.utf8)
    }
}

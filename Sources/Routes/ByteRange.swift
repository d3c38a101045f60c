/// ByteRange is the one range of a `Range: bytes=…` header, resolved against a file size.
enum ByteRange: Equatable {
    /// Serve `first...last` (inclusive).
    case satisfiable(first: Int, last: Int)
    /// The range lies outside the file: 416.
    case unsatisfiable
    /// Not a single byte range we serve (other units, several ranges, garbage): send it all.
    case ignored

    /// Resolves `header` (e.g. `bytes=0-99`, `bytes=500-`, `bytes=-200`) against `size`.
    init(header: String, size: Int) {
        guard header.hasPrefix("bytes="), !header.contains(",") else {
            self = .ignored
            return
        }
        let spec = header.dropFirst("bytes=".count).trimmingOptionalWhitespace
        guard let dash = spec.firstIndex(of: "-") else {
            self = .ignored
            return
        }
        let startText = spec[..<dash]
        let endText = spec[spec.index(after: dash)...]
        switch (Int(startText), Int(endText)) {
        case let (start?, end?) where start <= end && startText.allDigits && endText.allDigits:
            self = start < size ? .satisfiable(first: start, last: min(end, size - 1)) : .unsatisfiable
        case let (start?, nil) where endText.isEmpty && startText.allDigits:
            self = start < size ? .satisfiable(first: start, last: size - 1) : .unsatisfiable
        case let (nil, suffix?) where startText.isEmpty && endText.allDigits:
            self = suffix > 0 && size > 0 ? .satisfiable(first: max(0, size - suffix), last: size - 1) : .unsatisfiable
        default:
            self = .ignored
        }
    }
}

extension StringProtocol {
    fileprivate var allDigits: Bool { !isEmpty && utf8.allSatisfy { (0x30...0x39).contains($0) } }
}

/// MediaPreference reads an `Accept` header to choose between the media types a server can send.
///
/// It follows RFC 9110 §12.5.1: the most specific matching range gives a type its quality; a
/// tie goes to the type the client named more specifically (`application/json, */*` → JSON).
/// It reads the header's bytes in one pass without allocating: a client chooses the header, so
/// its cost must stay proportional to its length.
public enum MediaPreference {
    /// Whether `accept` prefers `application/json` over `text/html`.
    public static func prefersJSON(_ accept: String?) -> Bool {
        guard var accept, !accept.isEmpty else { return false }
        accept.makeContiguousUTF8()
        let (json, html) = accept.utf8.withContiguousStorageIfAvailable { matches(in: UnsafeRawBufferPointer($0)) }
            ?? (Match(), Match())
        if json.quality != html.quality { return json.quality > html.quality }
        return json.quality > 0 && json.specificity > html.specificity
    }

    private struct Match {
        /// Thousandths, as qvalues have at most three decimals.
        var quality = 0
        var specificity = -1

        mutating func consider(specificity: Int, quality: Int) {
            if specificity > self.specificity { self = Match(quality: quality, specificity: specificity) }
        }
    }

    /// The best match for JSON and for HTML among the comma-separated media ranges.
    private static func matches(in header: UnsafeRawBufferPointer) -> (json: Match, html: Match) {
        var json = Match()
        var html = Match()
        var start = 0
        while start <= header.count {
            var end = start
            while end < header.count && header[end] != UInt8(ascii: ",") { end += 1 }
            let element = UnsafeRawBufferPointer(rebasing: header[start..<end])
            var rangeEnd = 0
            while rangeEnd < element.count && element[rangeEnd] != UInt8(ascii: ";") { rangeEnd += 1 }
            let range = UnsafeRawBufferPointer(rebasing: element[..<rangeEnd]).trimmingOptionalWhitespace
            let quality = Self.quality(in: UnsafeRawBufferPointer(rebasing: element[rangeEnd...]))
            if range.equalsIgnoringASCIICase("application/json") { json.consider(specificity: 2, quality: quality) }
            if range.equalsIgnoringASCIICase("application/*") { json.consider(specificity: 1, quality: quality) }
            if range.equalsIgnoringASCIICase("text/html") { html.consider(specificity: 2, quality: quality) }
            if range.equalsIgnoringASCIICase("text/*") { html.consider(specificity: 1, quality: quality) }
            if range.equalsIgnoringASCIICase("*/*") {
                json.consider(specificity: 0, quality: quality)
                html.consider(specificity: 0, quality: quality)
            }
            start = end + 1
        }
        return (json, html)
    }

    /// The `q` parameter among `;name=value` parameters, in thousandths; 1000 when absent.
    private static func quality(in parameters: UnsafeRawBufferPointer) -> Int {
        var start = 0
        while start < parameters.count {
            var end = start + 1
            while end < parameters.count && parameters[end] != UInt8(ascii: ";") { end += 1 }
            let parameter = UnsafeRawBufferPointer(rebasing: parameters[(start + 1)..<end])
            if let equals = parameter.firstIndex(of: UInt8(ascii: "=")),
                UnsafeRawBufferPointer(rebasing: parameter[..<equals]).trimmingOptionalWhitespace.equalsIgnoringASCIICase("q")
            {
                return qvalue(UnsafeRawBufferPointer(rebasing: parameter[(equals + 1)...]).trimmingOptionalWhitespace)
            }
            start = end
        }
        return 1000
    }

    /// `0.9` → 900, `1` → 1000; anything that is not a number → 0; clamped to 0…1000.
    private static func qvalue(_ text: UnsafeRawBufferPointer) -> Int {
        var value = 0
        var scale = 1000
        var seenPoint = false
        for byte in text {
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let digit = Int(byte &- UInt8(ascii: "0"))
                if !seenPoint {
                    value = min(value * 10 + digit * 1000, 1000)
                } else if scale > 1 {
                    scale /= 10
                    value += digit * scale
                }
            } else {
                return 0
            }
        }
        return min(value, 1000)
    }
}

/// MediaPreference reads an `Accept` header to choose between the media types a server can send.
///
/// It follows RFC 9110 §12.5.1: the most specific matching range gives a type its quality; a
/// tie goes to the type the client named more specifically (`application/json, */*` → JSON).
public enum MediaPreference {
    /// Whether `accept` prefers `application/json` over `text/html`.
    public static func prefersJSON(_ accept: String?) -> Bool {
        guard let accept, !accept.isEmpty else { return false }
        let json = match(accept, type: "application", subtype: "json")
        let html = match(accept, type: "text", subtype: "html")
        if json.quality != html.quality { return json.quality > html.quality }
        return json.quality > 0 && json.specificity > html.specificity
    }

    private struct Match {
        var quality: Double = 0
        var specificity = -1
    }

    private static func match(_ accept: String, type: String, subtype: String) -> Match {
        var best = Match()
        for element in accept.split(separator: ",") {
            let parameters = element.split(separator: ";")
            guard let range = parameters.first?.trimming().lowercased() else { continue }
            let specificity: Int
            if range == "\(type)/\(subtype)" {
                specificity = 2
            } else if range == "\(type)/*" {
                specificity = 1
            } else if range == "*/*" {
                specificity = 0
            } else {
                continue
            }
            guard specificity > best.specificity else { continue }
            best = Match(quality: quality(of: parameters.dropFirst()), specificity: specificity)
        }
        return best
    }

    private static func quality(of parameters: ArraySlice<Substring>) -> Double {
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimming().lowercased() == "q" {
                let value = Double(pair[1].trimming()) ?? 0
                return min(max(value, 0), 1)
            }
        }
        return 1
    }
}

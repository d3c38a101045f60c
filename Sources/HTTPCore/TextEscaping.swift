/// TextEscaping makes operator- or user-supplied text safe inside HTML and JSON documents.
public enum TextEscaping {
    /// `text` with `& < > " '` replaced by entities: safe in element content and quoted attributes.
    public static func html(_ text: String) -> String {
        escaping(text) { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            default: nil
            }
        }
    }

    /// `text` as a JSON string literal, quotes included (RFC 8259 §7): `"`, `\` and control
    /// characters escaped; `<` too, so the string cannot close a `<script>` it is embedded in.
    public static func jsonString(_ text: String) -> String {
        let body = escaping(text) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "<": "\\u003c"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: nil
            }
        }
        return "\"" + body + "\""
    }

    /// `text` with each scalar `replacement` names replaced, the others kept.
    private static func escaping(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) {
                escaped += replaced
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

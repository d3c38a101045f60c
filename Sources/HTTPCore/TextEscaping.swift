/// TextEscaping makes operator- or user-supplied text safe inside HTML and JSON documents.
public enum TextEscaping {
    /// `text` with `& < > " '` replaced by entities: safe in element content and quoted attributes.
    public static func html(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `text` as a JSON string literal, quotes included (RFC 8259 §7): `"`, `\` and control
    /// characters escaped; `<` too, so the string cannot close a `<script>` it is embedded in.
    public static func jsonString(_ text: String) -> String {
        var quoted = "\""
        quoted.reserveCapacity(text.utf8.count + 2)
        for character in text.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "<": quoted += "\\u003c"
            case _ where character.value < 0x20 || character.value == 0x7f:
                let hex = String(character.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "\""
    }
}

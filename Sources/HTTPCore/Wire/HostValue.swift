/// HostValue checks a `Host` field value: `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986).
///
/// No spaces, no userinfo (`@`), no path, query or fragment; an IP literal in brackets; the
/// port, if any, digits only. An empty value is valid (a target without authority).
enum HostValue {
    static func isValid(_ value: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        if value.first == UInt8(ascii: "[") {
            index = 1
            while index < value.count && value[index] != UInt8(ascii: "]") {
                let byte = value[index]
                guard ByteClass.hexDigit.contains(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else {
                    return false
                }
                index += 1
            }
            guard index < value.count, index > 1 else { return false }
            index += 1
        } else {
            while index < value.count && value[index] != UInt8(ascii: ":") {
                let byte = value[index]
                guard ByteClass.registeredName.contains(byte) else { return false }
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < value.count, ByteClass.hexDigit.contains(value[index + 1]),
                        ByteClass.hexDigit.contains(value[index + 2])
                    else { return false }
                    index += 2
                }
                index += 1
            }
        }
        guard index < value.count else { return true }
        guard value[index] == UInt8(ascii: ":") else { return false }
        return value[(index + 1)...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

import Maintenance

/// HandoverNotice puts a maintenance notice on the handover's one-line state message: the
/// planned end in Unix seconds and the message as hex (any text, no spaces or newlines), `-`
/// for an absent part.
enum HandoverNotice {
    static func encode(_ notice: MaintenanceNotice?) -> String {
        let until = notice?.until.map(String.init) ?? "-"
        let message = notice?.message.map { $0.utf8.map(hex).joined() } ?? "-"
        return "\(until) \(message.isEmpty ? "-" : message)"
    }

    static func decode(until: Substring, message: Substring) -> MaintenanceNotice? {
        let end = Int(until)
        var bytes: [UInt8] = []
        if message != "-" {
            var digits = message.makeIterator()
            while let high = digits.next(), let low = digits.next(), let byte = UInt8(String([high, low]), radix: 16) {
                bytes.append(byte)
            }
        }
        let text = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        return end == nil && text == nil ? nil : MaintenanceNotice(message: text, until: end)
    }

    /// A session ticket key as hex, `-` for none.
    static func encodeKey(_ key: [UInt8]?) -> String {
        key.map { $0.map(hex).joined() } ?? "-"
    }

    /// The key of `encodeKey`; nil for `-` or anything that is not 80 bytes of hex.
    static func decodeKey(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        var digits = text.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes.count == 80 ? bytes : nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 16 ? "0" + digits : digits
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// PlannedEnd reads the planned end of a maintenance notice (`ctl maintenance on --until WHEN`):
/// `+90s`, `+30m`, `+2h` (from now), or an RFC 3339 time (`2026-11-30T14:00:00Z`,
/// `2026-11-30T15:00:00+01:00`, fractions ignored).
public enum PlannedEnd {
    /// Unix seconds for `text` at `now`; nil when it is neither form or names no real time.
    public static func parse(_ text: String, now: Int) -> Int? {
        if text.hasPrefix("+") { return relative(text.dropFirst(), now: now) }
        return rfc3339(text)
    }

    private static func relative(_ text: Substring, now: Int) -> Int? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        default: return nil
        }
        let (seconds, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow || seconds > 366 * 86400 ? nil : now + seconds
    }

    private static func rfc3339(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is expected: Character...) -> Bool {
            index < bytes.count && expected.contains(Character(Unicode.Scalar(bytes[index])))
        }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
            let day = number(8..<10), byte(10, is: "T", "t", " "), let hour = number(11..<13), byte(13, is: ":"),
            let minute = number(14..<16), byte(16, is: ":"), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if byte(index, is: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        }
        var offset = 0
        if byte(index, is: "Z", "z") {
            index += 1
        } else if byte(index, is: "+", "-"), let hours = number(index + 1..<index + 3), byte(index + 3, is: ":"),
            let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60
        {
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let utc = Int(timegm(&parts))
        // timegm normalises 31 February to 3 March: a day the month lacks is refused instead.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return utc - offset
    }
}

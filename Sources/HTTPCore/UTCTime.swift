#if canImport(Glibc)
import Glibc
#endif

/// UTCTime formats Unix timestamps without Foundation.
public enum UTCTime {
    /// `2026-11-25T17:22:06Z`.
    public static func iso8601(_ seconds: Int) -> String {
        format(seconds, "%Y-%m-%dT%H:%M:%SZ")
    }

    /// The IMF-fixdate of HTTP's `Date` header: `Wed, 25 Nov 2026 17:22:06 GMT`.
    public static func httpDate(_ seconds: Int) -> String {
        format(seconds, "%a, %d %b %Y %H:%M:%S GMT")
    }

    private static func format(_ seconds: Int, _ pattern: String) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension UTCTime {
    /// Parses an IMF-fixdate (`Wed, 25 Nov 2026 17:22:06 GMT`) into Unix seconds; nil if malformed.
    public static func parseHTTPDate(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), text.hasSuffix(" GMT"),
            let day = number(bytes[5...6]), let year = number(bytes[12...15]),
            let hour = number(bytes[17...18]), let minute = number(bytes[20...21]), let second = number(bytes[23...24]),
            let month = months.firstIndex(of: String(decoding: bytes[8...10], as: UTF8.self)),
            (1...31).contains(day), hour < 24, minute < 60, second < 61,
            // Found by the fuzzer: a year before the epoch (`0252`) parsed to a date that
            // cannot be formatted back. No HTTP date that matters here predates 1970.
            (1970...9999).contains(year)
        else { return nil }
        return daysSinceEpoch(year: year, month: month + 1, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (0x30...0x39).contains(digit) else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

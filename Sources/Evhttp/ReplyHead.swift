import CEvent
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// ReplyHead puts a reply's header fields into evhttp's output list as one entry.
///
/// Each entry of the list costs evhttp three allocations (the entry, its name, its value), a
/// turn in every `strcasecmp` walk of the list, and a line written with `evbuffer_add_printf`,
/// the costliest call left on the request path (`Benchmarks/results/2026-11-30-reply-head/`). So the fields
/// travel joined to the `Date` entry, as further lines of its value
/// (`<date>\r\nName: value\r\n…`), and evhttp writes them in one call. What evhttp looks up
/// by name keeps an entry of its own, added by `ReplyWriter`: `Content-Length` and
/// `Connection`, by which it frames the reply and keeps or closes the connection; `Date` leads
/// the joined entry, so evhttp finds it and adds none. `Content-Type` is joined too, which is
/// why evhttp's default is off and the default is added here.
///
/// Joining skips `evhttp_add_header`'s refusal of line breaks, so each field is checked here
/// (`Field.isSendable`) and one that fails is dropped, as evhttp dropped it.
///
/// Joining relies on libevent 2.1's private allocation functions and list layout; where
/// `LibeventRuntime` finds another libevent, each field goes through `evhttp_add_header` instead.
///
/// A route answers with the same fields reply after reply (a constant handler's, the maintenance
/// page's), and `Date` changes once a second, so the joined value is kept and reused while both
/// are unchanged: comparing an array with itself, or a string with itself, is one pointer test.
struct ReplyHead {
    /// The `Content-Type` of a reply with a body whose handler named none.
    static let defaultContentType = "text/plain; charset=utf-8"

    /// Whether fields are joined into one entry (libevent 2.1's tuned path) or added one by one.
    let joinsFields: Bool

    private var lastHeaders = HTTPHeaders()
    private var lastDate = ""
    private var lastAddsContentType = false
    /// The joined value for the three above, with its terminating NUL; empty before the first.
    private var joined: [UInt8] = []

    init(joinsFields: Bool) {
        self.joinsFields = joinsFields
    }

    mutating func write(
        _ headers: HTTPHeaders, date: String, addsContentType: Bool, to list: UnsafeMutablePointer<evkeyvalq>
    ) {
        guard joinsFields else { return Self.add(headers, date: date, addsContentType: addsContentType, to: list) }
        let joined = joinedValue(headers, date: date, addsContentType: addsContentType)
        guard let value = cevent_malloc(joined.count)?.assumingMemoryBound(to: CChar.self) else { return }
        joined.withUnsafeBytes { bytes in UnsafeMutableRawPointer(value).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        _ = cevent_headers_append_taking(list, "Date", value)
    }

    /// The `Date` entry's joined value for these fields, with its terminating NUL: made again
    /// only when they differ from the last reply's. A reply written without evhttp
    /// (`ReplyWriter.write`) carries the same bytes.
    mutating func joinedValue(_ headers: HTTPHeaders, date: String, addsContentType: Bool) -> [UInt8] {
        if joined.isEmpty || addsContentType != lastAddsContentType || !date.hasSameBytes(as: lastDate)
            || !headers.hasSameBytes(as: lastHeaders)
        {
            joined = Self.join(headers, date: date, addsContentType: addsContentType)
            (lastHeaders, lastDate, lastAddsContentType) = (headers, date, addsContentType)
        }
        return joined
    }

    /// `date`, then `\r\nName: value` for each field that may be sent, and a NUL.
    private static func join(_ headers: HTTPHeaders, date: String, addsContentType: Bool) -> [UInt8] {
        var bytes = Array(date.utf8)
        var needsContentType = addsContentType
        for field in headers where !isFramingHeader(field.name) && field.isSendable {
            if isContentType(field.name) { needsContentType = false }
            // Literal pieces appended as UTF-8, not as array literals (an allocation each): a
            // route whose fields change per reply joins on every reply.
            bytes += "\r\n".utf8
            bytes += field.name.utf8
            bytes += ": ".utf8
            bytes += field.value.utf8
        }
        if needsContentType { bytes += "\r\nContent-Type: \(defaultContentType)".utf8 }
        bytes.append(0)
        return bytes
    }

    /// libevent's public way: an entry each, copied by `evhttp_add_header`.
    private static func add(
        _ headers: HTTPHeaders, date: String, addsContentType: Bool, to list: UnsafeMutablePointer<evkeyvalq>
    ) {
        add("Date", date, to: list)
        var needsContentType = addsContentType
        for field in headers where !isFramingHeader(field.name) && field.isSendable {
            if isContentType(field.name) { needsContentType = false }
            add(field.name, field.value, to: list)
        }
        if needsContentType { add("Content-Type", defaultContentType, to: list) }
    }

    static func add(_ name: String, _ value: String, to list: UnsafeMutablePointer<evkeyvalq>?) {
        name.withCString { name in
            value.withCString { value in _ = evhttp_add_header(list, name, value) }
        }
    }

    /// Headers `ReplyWriter` sets itself: letting a handler set them could break framing.
    static func isFramingHeader(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: name.equalsIgnoringASCIICase("Date")
        case 10: name.equalsIgnoringASCIICase("Connection")
        case 14: name.equalsIgnoringASCIICase("Content-Length")
        case 17: name.equalsIgnoringASCIICase("Transfer-Encoding")
        default: false
        }
    }

    private static func isContentType(_ name: String) -> Bool {
        name.utf8.count == 12 && name.equalsIgnoringASCIICase("Content-Type")
    }
}

import CEvent
import CEventOverrides
import Testing

/// libevent's functions defined again by this process (Sources/CEventOverrides): the same bytes,
/// results and return values as libevent's own, and in effect for libevent's calls.
@Suite struct EventOverridesTests {
    @Test func libeventReachesTheseDefinitions() {
        #expect(event_overrides_in_effect() == 1)
    }

    @Test func statusLinesMatchPrintf() throws {
        let long = String(repeating: "Reason ", count: 2_000)
        let lines: [(Int32, Int32, Int32, String)] = [
            (1, 1, 200, "OK"), (1, 0, 404, "Not Found"), (1, 1, 503, "Service Unavailable"),
            (0, 9, 0, ""), (-1, 12, -450, "négatif"), (Int32.min, Int32.max, 99_999, long),
        ]
        for (major, minor, code, reason) in lines {
            let (fast, fastCount) = try written { event_overrides_status_line($0, major, minor, code, reason) }
            let (slow, slowCount) = try written { event_overrides_reference_status_line($0, major, minor, code, reason) }
            #expect(fast == slow, "HTTP/\(major).\(minor) \(code)")
            #expect(fastCount == slowCount)
            #expect(fastCount == Int32(slow.count))
        }
    }

    @Test func headerLinesMatchPrintf() throws {
        let joined = "Mon, 30 Nov 2026 19:00:00 GMT\r\nRetry-After: 300\r\nCache-Control: no-store"
        let fields = [("Date", joined), ("Content-Length", "628"), ("", ""), ("X", String(repeating: "v", count: 100_000))]
        for (name, value) in fields {
            let (fast, fastCount) = try written { event_overrides_header_line($0, name, value) }
            let (slow, slowCount) = try written { event_overrides_reference_header_line($0, name, value) }
            #expect(fast == slow, "\(name)")
            #expect(fastCount == slowCount)
        }
    }

    @Test func appendsAfterWhatTheBufferHolds() throws {
        let (bytes, _) = try written { buffer in
            _ = event_overrides_header_line(buffer, "A", "1")
            return event_overrides_status_line(buffer, 1, 1, 204, "No Content")
        }
        #expect(String(decoding: bytes, as: UTF8.self) == "A: 1\r\nHTTP/1.1 204 No Content\r\n")
    }

    @Test func caseInsensitiveComparisonMatchesLibevents() {
        let words = [
            "", "a", "A", "b", "B", "Host", "host", "HOST", "Hosts", "Connection", "connection",
            "Content-Length", "content-length", "Content-Type", "@", "[", "`", "{", "Z", "z",
            "\u{7F}", "é", "É", "Ü", "ü", "x\u{80}", "x\u{FF}",
        ]
        for left in words {
            for right in words {
                let mine = event_overrides_strcasecmp(left, right)
                let libevents = event_overrides_reference_strcasecmp(left, right)
                #expect(mine == libevents, "\(left.debugDescription) against \(right.debugDescription)")
            }
        }
        #expect(event_overrides_strcasecmp("Content-Length", "CONTENT-length") == 0)
    }

    /// The bytes `body` adds to a fresh buffer, and what it returned.
    private func written(_ body: (OpaquePointer) -> Int32) throws -> ([UInt8], Int32) {
        let buffer = try #require(evbuffer_new())
        defer { evbuffer_free(buffer) }
        let returned = body(buffer)
        let count = evbuffer_get_length(buffer)
        guard count > 0 else { return ([], returned) }
        let start = try #require(evbuffer_pullup(buffer, -1))
        return (Array(UnsafeBufferPointer(start: start, count: count)), returned)
    }
}

import CEvent
import CEventOverrides
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// libevent's functions defined again by this process (Sources/CEventOverrides): the same bytes,
/// results and return values as libevent's own, and in effect for libevent's calls.
@Suite struct EventOverridesTests {
    /// Proved by calls into libevent (evhttp_find_header, evhttp_uri_join, a bufferevent's read).
    @Test func libeventReachesTheseDefinitions() {
        #expect(event_overrides_reached() == Int32(EVENT_OVERRIDES_ALL))
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

    /// Each read returns what libevent's returns, leaves the same bytes in the buffer and the same
    /// bytes unread on the socket: requests of every size around the first read's space (976
    /// bytes) and libevent's limit of 4096 a call, with and without a caller's limit (a negative
    /// one means none; 0 reads nothing), into an empty buffer and after bytes it already holds.
    @Test(arguments: [1, 40, 511, 512, 975, 976, 977, 2_000, 4_095, 4_096, 4_097, 10_000])
    func readsWhatLibeventsReads(pending: Int) throws {
        let sent = (0..<pending).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for howmuch: Int32 in [-7, -1, 0, 100, 976, 4_096, 9_000] {
            for held in [0, 30, 990] {
                let mine = try readOutcome(sent: sent, held: held, howmuch: howmuch, event_overrides_read)
                let libevents = try readOutcome(sent: sent, held: held, howmuch: howmuch, event_overrides_reference_read)
                #expect(mine == libevents, "\(pending) bytes waiting, howmuch \(howmuch), \(held) held")
                #expect(howmuch == 0 ? mine.returned == 0 : mine.returned > 0)
            }
        }
    }

    @Test func readReportsTheEndOfTheStreamAndAnEmptySocketAsLibeventDoes() throws {
        for read in [event_overrides_read, event_overrides_reference_read] {
            let (reader, writer) = try socketPair()
            defer { close(reader) }
            let buffer = try #require(evbuffer_new())
            defer { evbuffer_free(buffer) }
            errno = 0
            #expect(read(buffer, reader, -1) == -1)
            #expect(errno == EAGAIN)
            close(writer)
            #expect(read(buffer, reader, -1) == 0)
            #expect(evbuffer_get_length(buffer) == 0)
        }
    }

    private struct ReadOutcome: Equatable, CustomStringConvertible {
        let returned: Int32
        let buffered: [UInt8]
        let leftOnSocket: [UInt8]

        var description: String {
            "returned \(returned), \(buffered.count) bytes in the buffer, \(leftOnSocket.count) left on the socket"
        }
    }

    /// One call of `read` on a socket with `sent` waiting, into a buffer holding `held` bytes.
    private func readOutcome(
        sent: [UInt8], held: Int, howmuch: Int32, _ read: (OpaquePointer?, Int32, Int32) -> Int32
    ) throws -> ReadOutcome {
        let (reader, writer) = try socketPair()
        defer { close(reader); close(writer) }
        #expect(sent.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == sent.count)
        let buffer = try #require(evbuffer_new())
        defer { evbuffer_free(buffer) }
        let heldBytes = [UInt8](repeating: 0x68, count: held)
        evbuffer_add(buffer, heldBytes, heldBytes.count)
        let returned = read(buffer, reader, howmuch)
        var left = [UInt8](repeating: 0, count: sent.count)
        let leftCount = left.withUnsafeMutableBytes { recv(reader, $0.baseAddress, $0.count, 0) }
        left.removeLast(left.count - max(leftCount, 0))
        return ReadOutcome(returned: returned, buffered: contents(of: buffer), leftOnSocket: left)
    }

    /// A connected pair of stream sockets, the first non-blocking as a server's.
    private func socketPair() throws -> (Int32, Int32) {
        var descriptors: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0)
        _ = fcntl(descriptors[0], F_SETFL, fcntl(descriptors[0], F_GETFL) | O_NONBLOCK)
        return (descriptors[0], descriptors[1])
    }

    private func contents(of buffer: OpaquePointer) -> [UInt8] {
        let count = evbuffer_get_length(buffer)
        guard count > 0, let start = evbuffer_pullup(buffer, -1) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// The bytes `body` adds to a fresh buffer, and what it returned.
    private func written(_ body: (OpaquePointer) -> Int32) throws -> ([UInt8], Int32) {
        let buffer = try #require(evbuffer_new())
        defer { evbuffer_free(buffer) }
        let returned = body(buffer)
        return (contents(of: buffer), returned)
    }
}

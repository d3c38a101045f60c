import Testing
@testable import EventServer

@Suite struct RequestValueTests {
    @Test func queryItemsAreDecoded() {
        let request = Request(method: .get, path: "/search", rawQuery: "q=swift+server&tag=a&tag=b%26c&empty&x=%zz")
        #expect(request.query["q"] == "swift server")
        #expect(request.query.values(named: "tag") == ["a", "b&c"])
        #expect(request.query["empty"] == "")
        #expect(request.query["x"] == "%zz")
        #expect(request.query["missing"] == nil)
        #expect(Request(method: .get, path: "/").query.items.isEmpty)
    }

    @Test func pathSegmentsSplitBeforeDecoding() {
        #expect(PercentDecoding.pathSegments("/a/b%2Fc/") == ["a", "b/c", ""])
        #expect(PercentDecoding.pathSegments("/") == [""])
        #expect(PercentDecoding.pathSegments("/%") == nil)
        #expect(PercentDecoding.pathSegments("/%2e%2E") == [".."])
        #expect(PercentDecoding.pathSegments("/a//b%20c") == ["a", "", "b c"])
        #expect(PercentDecoding.pathSegments("/caf%C3%A9/%00") == nil)
        #expect(PercentDecoding.pathSegments("") == nil)
        #expect(PercentDecoding.pathSegments("no-slash") == nil)
    }

    @Test func httpDatesRoundTrip() {
        let seconds = 1_795_627_661
        let text = UTCTime.httpDate(seconds)
        #expect(text == "Wed, 25 Nov 2026 17:27:41 GMT")
        #expect(UTCTime.parseHTTPDate(text) == seconds)
        #expect(UTCTime.parseHTTPDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(UTCTime.parseHTTPDate("Sun, 29 Feb 2032 12:00:00 GMT") == 1_961_668_800)  // date -u -d @1961668800
        #expect(UTCTime.parseHTTPDate("yesterday") == nil)
        #expect(UTCTime.parseHTTPDate("Wed, 25 Xyz 2026 17:27:41 GMT") == nil)
        // Robustness/Fuzz/regressions/http-date-year-0252: the fuzzer's first find.
        #expect(UTCTime.parseHTTPDate("Wed, 25 Nov 0252 17:27:41 GMT") == nil)
    }
}

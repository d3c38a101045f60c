import Testing
@testable import EventServer

@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCase() {
        let headers: HTTPHeaders = ["Content-Type": "text/plain", "X-Id": "1"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-ID"] == "1")
        #expect(headers["Content-Typ"] == nil)
    }

    @Test func duplicatesAreKeptInOrderAndReplaceable() {
        var headers = HTTPHeaders()
        headers.add(name: "Vary", value: "a")
        headers.add(name: "vary", value: "b")
        #expect(headers.values(named: "VARY") == ["a", "b"])
        headers.replaceOrAdd(name: "Vary", value: "c")
        #expect(headers.values(named: "vary") == ["c"])
        #expect(headers.count == 1)
    }
}

@testable import Evhttp
import Testing

@Suite struct PassSplitTests {
    /// How many requests pass between splits, over `requests` answered with `open` connections.
    private func splitPoints(open: Int, requests: Int) -> [Int] {
        var split = PassSplit()
        return (1...requests).filter { _ in split.answeredOne(openConnections: open) }
    }

    @Test func aPassSplitsAtHalfTheOpenConnections() {
        #expect(splitPoints(open: 50, requests: 100) == [25, 50, 75, 100])
        #expect(splitPoints(open: 256, requests: 300) == [128, 256])
        #expect(splitPoints(open: 51, requests: 60) == [25, 50])
    }

    @Test func fewConnectionsSplitOnlyEverySixteenRequests() {
        #expect(splitPoints(open: 1, requests: 40) == [16, 32])
        #expect(splitPoints(open: 32, requests: 40) == [16, 32])
        #expect(splitPoints(open: 0, requests: 15).isEmpty)
    }

    @Test func theCountFollowsTheOpenConnectionsAsTheyChange() {
        var split = PassSplit()
        let early = (1..<40).filter { _ in split.answeredOne(openConnections: 100) }
        #expect(early.isEmpty)
        // the 40th: fewer connections now make 40 enough, and the count starts again
        let fortieth = split.answeredOne(openConnections: 80)
        let next = split.answeredOne(openConnections: 80)
        #expect(fortieth && !next)
    }
}

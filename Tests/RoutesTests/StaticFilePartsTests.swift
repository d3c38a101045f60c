import Testing
@testable import Routes

@Suite struct StaticFilePartsTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRange.satisfiable(first: 0, last: 9)),
        ("bytes=90-", .satisfiable(first: 90, last: 99)),
        ("bytes=-10", .satisfiable(first: 90, last: 99)),
        ("bytes=95-200", .satisfiable(first: 95, last: 99)),
        ("bytes=-500", .satisfiable(first: 0, last: 99)),
        ("bytes=100-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-2", .ignored),
        ("bytes=0-1,5-6", .ignored),
        ("items=0-1", .ignored),
        ("bytes=a-b", .ignored),
        ("bytes=+1-2", .ignored),
    ])
    func rangesResolveAgainstTheSize(header: String, expected: ByteRange) {
        #expect(ByteRange(header: header, size: 100) == expected)
    }

    @Test func mediaTypesByExtension() {
        #expect(MediaTypes.contentType(forFileNamed: "/x/index.HTML") == "text/html; charset=utf-8")
        #expect(MediaTypes.contentType(forFileNamed: "app.js") == "text/javascript; charset=utf-8")
        #expect(MediaTypes.contentType(forFileNamed: "logo.png") == "image/png")
        #expect(MediaTypes.contentType(forFileNamed: "archive.unknown") == "application/octet-stream")
        #expect(MediaTypes.contentType(forFileNamed: ".hidden") == "application/octet-stream")
    }
}

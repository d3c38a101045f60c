import EventServer
import Testing

/// The heads the transport answers without evhttp (`HTTPServerTransport+Direct.swift`), split
/// as evhttp's parser splits them; everything else is left to evhttp.
@Suite struct PlainRequestHeadTests {
    private func parse(_ text: String) -> (method: HTTPMethod, path: String, query: String?, headers: HTTPHeaders)? {
        var headers: HTTPHeaders = ["Stale": "from an earlier request", "Stale-Too": "x", "Stale-Three": "y"]
        return Array(text.utf8).withUnsafeBytes { bytes in
            guard let head = PlainRequestHead.parse(bytes, into: &headers) else { return nil }
            let (path, query) = RequestTarget.split(head.target)
            return (head.method, path, query, headers)
        }
    }

    @Test func aPlainGetIsSplitInPlace() throws {
        let head = try #require(parse("GET /a/b%20c?x=1&y#frag HTTP/1.1\r\nHost: example.com\r\nAccept:  text/html \t\r\n\r\n"))
        #expect(head.method == .get)
        #expect(head.path == "/a/b%20c")
        #expect(head.query == "x=1&y")
        #expect(head.headers.map(\.name) == ["Host", "Accept"])
        // evhttp drops leading spaces and trailing spaces and tabs.
        #expect(head.headers["Accept"] == "text/html")
    }

    @Test func headBareLineFeedsAndAnEmptyValueAreRead() throws {
        let head = try #require(parse("HEAD / HTTP/1.1\nHost: h\nX-Empty:\nX-Tab:\tkept\n\n"))
        #expect(head.method == .head)
        #expect(head.path == "/")
        #expect(head.query == nil)
        #expect(head.headers["X-Empty"] == "")
        // A leading tab stays, as evhttp keeps it (it skips spaces only).
        #expect(head.headers["X-Tab"] == "\tkept")
        #expect(head.headers.count == 3)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: h\r\n\r\n",  // a method that may carry a body
        "get / HTTP/1.1\r\nHost: h\r\n\r\n",  // evhttp's methods are case-sensitive
        "GET / HTTP/1.0\r\n\r\n",  // HTTP/1.0 keep-alive rules are evhttp's
        "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",  // absolute form
        "GET //etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n",  // evhttp reads an authority after `//`
        "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nconnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",  // pipelined
        "GET / HTTP/1.1\r\nHost: h\r\n",  // the head has not ended
        "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",  // an empty line first
    ])
    func anythingElseIsLeftToEvhttp(text: String) {
        #expect(parse(text) == nil)
    }
}

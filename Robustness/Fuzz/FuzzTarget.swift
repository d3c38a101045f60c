import EventServer

/// libFuzzer entry point: feeds one input to the parts that see untrusted text first: the raw
/// request scanner, the route matcher (through percent-decoding), path splitting, Accept
/// negotiation, query parsing, HTTP dates and CIDR parsing, and the split of a head answered
/// without evhttp (`PlainRequestHead`). A crash, a sanitizer report or a
/// broken invariant fails the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let path = "/" + text

    if let segments = PercentDecoding.pathSegments(path) {
        // Splitting happens before decoding: one segment per "/" in the raw path.
        precondition(segments.count == path.utf8.filter { $0 == UInt8(ascii: "/") }.count)
    }
    if let response = try? fuzzRoutes.respond(to: Request(method: .get, path: path)) {
        precondition([200, 404, 405].contains(response.status.code))
    }
    _ = fuzzRoutes.resolve(Request(method: .head, path: path)).isExempt
    _ = MediaPreference.prefersJSON(text)
    _ = QueryItems(text).items.count
    _ = try? RoutePattern(path)
    if let seconds = UTCTime.parseHTTPDate(text) {
        precondition(UTCTime.parseHTTPDate(UTCTime.httpDate(seconds)) == seconds)
    }
    _ = (try? AddressRange(text))?.contains("127.0.0.1")
    scanAsRequestBytes(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The raw bytes as a connection's stream, whole and split at every third byte: the scanner
/// must reach the same verdict whatever the read boundaries, and say nothing after refusing.
private func scanAsRequestBytes(_ bytes: UnsafeRawBufferPointer) {
    var whole = RequestScanner(maxHeadBytes: 1024)
    let verdict = whole.scan(bytes)
    var pieces = RequestScanner(maxHeadBytes: 1024)
    var pieceVerdict: RequestViolation?
    var start = 0
    while start < bytes.count && pieceVerdict == nil {
        let end = min(bytes.count, start + 3)
        pieceVerdict = pieces.scan(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end
    }
    precondition(verdict == pieceVerdict, "read boundaries changed the verdict")
    if verdict != nil { precondition(whole.scan(bytes) == nil) }
    // What the scanner passed as whole requests, the transport may split without evhttp.
    if verdict == nil && whole.position == .betweenRequests && whole.endOfLastRequest == bytes.count {
        var headers = HTTPHeaders()
        if let head = PlainRequestHead.parse(bytes, into: &headers) {
            precondition(head.target.first == UInt8(ascii: "/"))
            let (path, _) = RequestTarget.split(head.target)
            precondition(path.hasPrefix("/") && !path.hasPrefix("//"))
            precondition(headers.count <= bytes.count / 2)
        }
    }
}

/// A table with every kind of pattern, built once.
nonisolated(unsafe) let fuzzRoutes: RouteTable = {
    let routes = RouteTable()
    let ok = ConstantHandler(.text("ok"))
    for pattern in ["/", "/livez", "/users/:id", "/users/new", "/users/:id/posts/:post", "/static/*path", "/a/b/c"] {
        try! routes.add(.get, pattern, handler: ok)
    }
    return routes
}()

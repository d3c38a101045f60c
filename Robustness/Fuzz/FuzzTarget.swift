import EventServer

/// libFuzzer entry point: feeds one input to the parts that see untrusted text first: the route
/// matcher (through percent-decoding), path splitting, Accept negotiation, query parsing, HTTP
/// dates and CIDR parsing. A crash, a sanitizer report or a broken invariant fails the run.
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
    return 0
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

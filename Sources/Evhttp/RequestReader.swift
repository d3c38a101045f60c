import CEvent
import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// RequestReader turns evhttp's parsed request into a `Request` value.
enum RequestReader {
    /// The request value; `peerAddress` is the connection's, read once per connection.
    /// `headerStorage` is the previous request's header list, refilled in place: once that
    /// request is gone its storage is unique again, so a request costs no allocation for its
    /// headers (a request a task still holds keeps its list; copy-on-write gives this one a new one).
    static func read(
        _ request: UnsafeMutablePointer<evhttp_request>, peerAddress: String?, headerStorage: inout HTTPHeaders
    ) -> Request {
        let method = method(of: evhttp_request_get_command(request))
        let (path, query) = target(of: request)
        let minorVersion = Int(cevent_request_minor_version(request))
        let headers = headers(of: request, into: &headerStorage)
        let body = body(of: request)
        return Request(
            method: method, path: path, rawQuery: query, minorVersion: minorVersion,
            headers: headers, body: body, peerAddress: peerAddress)
    }

    private static func method(of command: evhttp_cmd_type) -> HTTPMethod {
        switch command {
        case EVHTTP_REQ_HEAD: .head
        case EVHTTP_REQ_POST: .post
        case EVHTTP_REQ_PUT: .put
        case EVHTTP_REQ_DELETE: .delete
        case EVHTTP_REQ_OPTIONS: .options
        case EVHTTP_REQ_PATCH: .patch
        case EVHTTP_REQ_TRACE: .trace
        case EVHTTP_REQ_CONNECT: .connect
        default: .get
        }
    }

    /// Path and query from the raw request target. The raw text is used rather than evhttp's
    /// parsed URI, which reads `//etc/passwd` as an authority and reports the path `/passwd`.
    private static func target(of request: UnsafeMutablePointer<evhttp_request>) -> (String, String?) {
        guard let uri = evhttp_request_get_uri(request) else { return ("/", nil) }
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(uri).assumingMemoryBound(to: UInt8.self), count: strlen(uri))
        guard bytes.first == UInt8(ascii: "/") else {
            // Absolute form (`http://host/path`) or `*`: take evhttp's parsed path.
            if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") { return ("*", nil) }
            let parsed = evhttp_request_get_evhttp_uri(request)
            let path = parsed.flatMap { evhttp_uri_get_path($0) }.map { String(cString: $0) } ?? ""
            let query = parsed.flatMap { evhttp_uri_get_query($0) }.map { String(cString: $0) }
            return (path.isEmpty ? "/" : path, query)
        }
        return RequestTarget.split(UnsafeRawBufferPointer(bytes))
    }

    /// The header fields as evhttp parsed them. Their syntax and the framing ones (Host,
    /// Content-Length, Transfer-Encoding) were already checked on the raw bytes
    /// (`RequestScanner`), before evhttp could merge or truncate anything. Refills `headers` and
    /// returns it (sharing its storage).
    private static func headers(of request: UnsafeMutablePointer<evhttp_request>, into headers: inout HTTPHeaders) -> HTTPHeaders {
        var filled = 0
        var field = cevent_headers_first(evhttp_request_get_input_headers(request))
        while let current = field {
            field = cevent_headers_next(current)
            guard let key = current.pointee.key, let value = current.pointee.value else { continue }
            headers.overwrite(
                at: filled, name: UnsafeRawBufferPointer(start: key, count: strlen(key)),
                value: UnsafeRawBufferPointer(start: value, count: strlen(value)))
            filled += 1
        }
        headers.truncate(to: filled)
        return headers
    }

    private static func body(of request: UnsafeMutablePointer<evhttp_request>) -> [UInt8] {
        guard let input = evhttp_request_get_input_buffer(request) else { return [] }
        let length = evbuffer_get_length(input)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            initialized = max(0, evbuffer_copyout(input, buffer.baseAddress, length))
        }
    }
}

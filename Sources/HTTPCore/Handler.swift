/// Handler answers one request synchronously, on the loop thread.
///
/// A handler must not block: the whole server shares one thread. Throw `HTTPError` for a
/// client-facing error; any other error becomes a generic 500.
public protocol Handler {
    /// Returns the response to `request`.
    func respond(to request: Request) throws -> Response
}

/// HandlerClosure adapts a closure to `Handler`, as Go's `http.HandlerFunc` does.
public struct HandlerClosure: Handler {
    private let body: (Request) throws -> Response

    /// Wraps `body` as a handler.
    public init(_ body: @escaping (Request) throws -> Response) {
        self.body = body
    }

    public func respond(to request: Request) throws -> Response {
        try body(request)
    }
}

/// ConstantHandler answers every request with one response built once.
///
/// Returning a prebuilt response costs a few reference-count operations, no allocation.
public struct ConstantHandler: Handler {
    private let response: Response

    /// A handler that always returns `response`.
    public init(_ response: Response) {
        self.response = response
    }

    public func respond(to request: Request) -> Response { response }
}

/// AsyncHandler answers one request with code that may `await` (a database, another service).
///
/// It runs as a task on the server's loop thread (the loop is its executor), so awaiting never
/// blocks other connections and loop-confined state needs no lock. The maintenance gate decides
/// before it starts: a request that passed the gate completes even if maintenance begins while
/// it awaits. A client that disconnects cancels the task (`Task.isCancelled`,
/// `Task.checkCancellation()`); what it returns then is dropped.
public protocol AsyncHandler: Sendable {
    /// Returns the response to `request`.
    func respond(to request: Request) async throws -> Response
}

/// AsyncHandlerClosure adapts an async closure to `AsyncHandler`.
public struct AsyncHandlerClosure: AsyncHandler {
    private let body: @Sendable (Request) async throws -> Response

    /// Wraps `body` as a handler.
    public init(_ body: @escaping @Sendable (Request) async throws -> Response) {
        self.body = body
    }

    public func respond(to request: Request) async throws -> Response {
        try await body(request)
    }
}

/// AsyncRoute lets an `AsyncHandler` stand where a `Handler` is expected (routes, groups,
/// middleware): it answers at once with a deferred response, which the server completes by
/// running the handler on the loop.
public struct AsyncRoute: Handler {
    private let handler: any AsyncHandler

    /// The route that answers through `handler`.
    public init(_ handler: any AsyncHandler) {
        self.handler = handler
    }

    public func respond(to request: Request) -> Response {
        let handler = handler
        return Response(deferring: { try await handler.respond(to: request) })
    }
}

/// DeferredResponse is a response that an async handler is still computing.
///
/// Middleware sees it in place of the final response: a middleware that answers by itself
/// (without calling its next handler) works as for any route, and header fields it adds to a
/// deferred response are added to the final one. Nothing else about it is sent.
public struct DeferredResponse: Sendable {
    /// Computes the final response; runs on the loop as a task.
    public let produce: @Sendable () async throws -> Response

    /// A deferred response computed by `produce`.
    public init(_ produce: @escaping @Sendable () async throws -> Response) {
        self.produce = produce
    }
}

extension Response {
    /// A response that `produce` computes later, on the loop, without blocking it.
    public init(deferring produce: @escaping @Sendable () async throws -> Response) {
        self.init(status: .ok)
        deferred = DeferredResponse(produce)
    }
}

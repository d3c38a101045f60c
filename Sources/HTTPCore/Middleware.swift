/// Middleware wraps a handler in another handler, like Go's `func(http.Handler) http.Handler`.
public protocol Middleware {
    /// Returns a handler that runs around `next`.
    func wrap(_ next: any Handler) -> any Handler
}

extension Array where Element == any Middleware {
    /// Folds the middleware around `handler` once: the first element ends up outermost, so it
    /// sees the request first and the response last.
    public func wrapping(_ handler: any Handler) -> any Handler {
        reversed().reduce(handler) { inner, middleware in middleware.wrap(inner) }
    }
}

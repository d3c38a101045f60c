import HTTPCore
import Logging

/// ErrorRenderer is the outermost handler: it turns a thrown `HTTPError` into its response and
/// any other error into a generic 500 with one log line, so internal text never reaches a client.
public struct ErrorRenderer: Handler {
    private let next: any Handler
    private let logger: Logger

    /// Renders the errors `next` throws; `logger` gets one line per unexpected error.
    public init(wrapping next: any Handler, logger: Logger) {
        self.next = next
        self.logger = logger
    }

    public func respond(to request: Request) -> Response {
        do {
            return try next.respond(to: request)
        } catch {
            return response(for: error, to: request)
        }
    }

    /// The reply for `error`, thrown by a sync handler or later by an async one.
    public func response(for error: any Error, to request: Request) -> Response {
        if let error = error as? HTTPError { return error.response }
        logger.error("handler failed", metadata: ["method": "\(request.method)", "path": "\(request.path)", "error": "\(error)"])
        return Self.internalError
    }

    private static let internalError = Response.text("Internal Server Error\n", status: .internalServerError)
}

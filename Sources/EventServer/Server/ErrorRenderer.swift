import HTTPCore
import Logging

/// ErrorRenderer is the outermost handler: it turns a thrown `HTTPError` into its response and
/// any other error into a generic 500 with one log line, so internal text never reaches a client.
public struct ErrorRenderer: Handler {
    private let next: any Handler
    private let logger: Logger

    public init(wrapping next: any Handler, logger: Logger) {
        self.next = next
        self.logger = logger
    }

    public func respond(to request: Request) -> Response {
        do {
            return try next.respond(to: request)
        } catch let error as HTTPError {
            return error.response
        } catch {
            logger.error("handler failed", metadata: ["method": "\(request.method)", "path": "\(request.path)", "error": "\(error)"])
            return Self.internalError
        }
    }

    private static let internalError = Response.text("Internal Server Error\n", status: .internalServerError)
}

@testable import EventServer

/// StampMiddleware adds a header with its name on the way out, so tests can see which
/// middleware ran and in what order (innermost first).
struct StampMiddleware: Middleware {
    let name: String
    var header = "Stamp"

    func wrap(_ next: any Handler) -> any Handler {
        HandlerClosure { request in
            var response = try next.respond(to: request)
            response.headers.add(name: header, value: name)
            return response
        }
    }
}

import EventServer
import Routes

#if canImport(Glibc)
import Glibc
#endif

/// The application's own module, next to the ready ones.
struct Billing: RouteModule {
    func register(in routes: any RoutesBuilder) throws {
        try routes.get("/invoices/:id") { request in
            guard let id = request.parameters["id"].flatMap(Int.init) else {
                throw HTTPError(.badRequest, message: "id must be a number")
            }
            return .json(#"{"id":\#(id)}"#)
        }
    }
}

var configuration = ServerConfiguration()
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch (flag, arguments.next()) {
    case let ("--port", value?): configuration.port = Int(value) ?? configuration.port
    default:
        print("usage: consumer [--port PORT]")
        exit(2)
    }
}
do {
    let server = try Server(configuration: configuration)
    try server.register(GreetingRoutes())
    try server.register(HealthRoutes(maintenance: server.maintenance))
    try server.register(Billing())
    try server.run()
} catch {
    print("consumer: error: \(error)")
    exit(1)
}

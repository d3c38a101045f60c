import EventServer
import Routes
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// A server with async and streaming routes for the integration tests (the `eventserver`
// binary has none of its own): `AsyncFixture [--host H] [--port P] [--shutdown-timeout S] [--http2 on|off]
// [--tls-cert PEM --tls-key PEM]`.
var configuration = ServerConfiguration()
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch (flag, arguments.next()) {
    case let ("--host", value?): configuration.host = value
    case let ("--port", value?): configuration.port = Int(value) ?? configuration.port
    case let ("--shutdown-timeout", value?): configuration.shutdownTimeoutSeconds = Int(value) ?? 10
    case let ("--http2", value?): configuration.http2 = value == "on"
    case let ("--tls-cert", value?): configuration.tlsCertificatePath = value
    case let ("--tls-key", value?): configuration.tlsKeyPath = value
    case ("--log-level", _?): break  // accepted as eventserver does (Benchmarks/callgrind.sh passes it)
    default:
        print("usage: AsyncFixture [--host HOST] [--port PORT] [--shutdown-timeout SECONDS] [--http2 on|off] [--tls-cert PEM --tls-key PEM]")
        exit(2)
    }
}

/// The loop thread is the one that starts the server: handlers compare against it.
let loopThread = pthread_self()

/// Tasks that saw their cancellation (their client hung up), across threads.
let cancellations = Atomic<Int>(0)

struct FixtureRoutes: RouteModule {
    func register(in routes: any RoutesBuilder) throws {
        try routes.get("/async/hello") { _ in
            try await Task.sleep(for: .milliseconds(5))
            let onLoop = pthread_equal(pthread_self(), loopThread) != 0
            return Response.text("hello from a task\n").with(header: "X-Loop-Thread", onLoop ? "yes" : "no")
        }
        // An async handler whose response is a stream: evhttp carries it.
        try routes.get("/async/then-stream") { _ in
            try await Task.sleep(for: .milliseconds(5))
            return Response(headers: ["Content-Type": "text/plain"]) { body in
                try await body.write(Array("streamed ".utf8))
                try await body.write(Array("after a task\n".utf8))
            }
        }
        try routes.get("/async/teapot") { _ in
            try await Task.sleep(for: .milliseconds(1))
            throw HTTPError(.conflict, message: "already brewing")
        }
        try routes.get("/async/broken") { _ in
            try await Task.sleep(for: .milliseconds(1))
            throw FixtureFailure()
        }
        try routes.get("/async/sleep/:ms") { request in
            let milliseconds = Int(request.parameters["ms"] ?? "") ?? 0
            do {
                try await Task.sleep(for: .milliseconds(milliseconds))
            } catch is CancellationError {
                cancellations.add(1, ordering: .relaxed)
                throw CancellationError()
            }
            var response = Response.text("slept \(milliseconds)\n")
            // Read after the await: the request's headers must still be its own.
            if let tag = request.headers["X-Tag"] { response.headers.add(name: "X-Tag", value: tag) }
            return response
        }
        // The same on the loop's own timer (LoopClock): no thread hop, no wake-up pipe.
        try routes.get("/async/loop-sleep/:ms") { request in
            let milliseconds = Int(request.parameters["ms"] ?? "") ?? 0
            do {
                try await LoopClock().sleep(for: .milliseconds(milliseconds))
            } catch is CancellationError {
                cancellations.add(1, ordering: .relaxed)
                throw CancellationError()
            }
            let onLoop = pthread_equal(pthread_self(), loopThread) != 0
            return Response.text("slept \(milliseconds)\n").with(header: "X-Loop-Thread", onLoop ? "yes" : "no")
        }
        try routes.get("/async/cancellations") { _ in
            .text("\(cancellations.load(ordering: .relaxed))\n")
        }
        try routes.post("/async/echo") { request in
            await Task.yield()
            return Response(status: .ok, body: request.body)
        }
        try routes.get("/stream/bytes/:count") { request in
            let count = Int(request.parameters["count"] ?? "") ?? 0
            return Response(headers: ["Content-Type": "application/octet-stream"]) { body in
                var left = count
                let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024)
                do {
                    while left > 0 {
                        let size = min(left, piece.count)
                        try await body.write(size == piece.count ? piece : Array(piece[..<size]))
                        left -= size
                    }
                } catch is CancellationError {
                    cancellations.add(1, ordering: .relaxed)
                    throw CancellationError()
                }
            }
        }
        // A body made at once, in memory: larger than the socket takes in one write, it is
        // written as the client reads (the transport's direct replies included).
        try routes.get("/bytes/:count") { request in
            let count = min(Int(request.parameters["count"] ?? "") ?? 0, 64 << 20)
            return Response(
                status: .ok, headers: ["Content-Type": "application/octet-stream"],
                body: [UInt8](repeating: UInt8(ascii: "y"), count: count))
        }
        // Fields a careless handler might set: a value with a line break (header injection),
        // an obsolete fold, a name that is not a token, framing of its own; no Content-Type.
        let careless: HTTPHeaders = [
            "X-Kept": "yes", "X-Split": "ok\r\nSet-Cookie: stolen=1", "X-Folded": "a\r\n b",
            "Bad Name": "x", "Content-Length": "999", "Connection": "close",
        ]
        try routes.get("/headers/careless") { _ in
            Response(status: .ok, headers: careless, body: Array("careless\n".utf8))
        }
        try routes.get("/headers/careless-stream") { _ in
            Response(headers: careless) { body in try await body.write(Array("streamed\n".utf8)) }
        }
        try routes.grouped(TokenCheck()).get("/guarded/async") { _ in
            await Task.yield()
            return .text("admitted\n")
        }
    }
}

/// Answers 401 unless the request carries `X-Token: fixture`; stamps what it lets through.
struct TokenCheck: Middleware {
    func wrap(_ next: any Handler) -> any Handler {
        HandlerClosure { request in
            guard request.headers["X-Token"] == "fixture" else { return .text("no token\n", status: .unauthorized) }
            var response = try next.respond(to: request)
            response.headers.add(name: "X-Checked", value: "yes")
            return response
        }
    }
}

struct FixtureFailure: Error {}

extension Response {
    fileprivate func with(header name: String, _ value: String) -> Response {
        var response = self
        response.headers.add(name: name, value: value)
        return response
    }
}

do {
    let server = try Server(configuration: configuration)
    try server.register(GreetingRoutes())
    try server.register(StatusRoutes(maintenance: server.maintenance, statistics: server.statistics))
    try server.register(MetricsRoutes(maintenance: server.maintenance, statistics: server.statistics))
    try server.register(FixtureRoutes())
    try server.run()
} catch {
    let line = Array("AsyncFixture: error: \(error)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

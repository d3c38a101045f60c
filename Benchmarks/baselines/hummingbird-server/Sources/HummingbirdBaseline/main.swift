import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization

// usage: HummingbirdBaseline PORT PAGE_FILE
let maintenance = Atomic<Bool>(false)
let arguments = CommandLine.arguments
let port = Int(arguments[1])!
let page = try String(contentsOfFile: arguments[2], encoding: .utf8)

signal(SIGUSR1) { _ in maintenance.store(true, ordering: .relaxed) }
signal(SIGUSR2) { _ in maintenance.store(false, ordering: .relaxed) }

struct MaintenanceMiddleware<Context: RequestContext>: RouterMiddleware {
    let page: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard maintenance.load(ordering: .relaxed) else { return try await next(request, context) }
        return Response(
            status: .serviceUnavailable,
            headers: [.retryAfter: "300", .cacheControl: "no-store", .contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}

let router = Router()
router.middlewares.add(MaintenanceMiddleware(page: page))
router.get("/") { _, _ in
    Response(
        status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "Hello from eventserver\n")))
}
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1)))
try await app.runService()

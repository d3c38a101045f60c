import Benchmark
import EventServer
import Logging

/// A table of `count` routes shaped like a real API: static, parameter and catch-all routes.
private func table(routes count: Int) -> RouteTable {
    let routes = RouteTable()
    let ok = ConstantHandler(.text("ok\n"))
    for index in 0..<count {
        let pattern = switch index % 4 {
        case 0: "/api/v1/resource\(index)/:id"
        case 1: "/api/v1/resource\(index)"
        case 2: "/pages/section\(index)/about"
        default: "/files\(index)/*path"
        }
        try! routes.add(.get, pattern, handler: ok)
    }
    return routes
}

/// The same request against every table: a parameter route three levels deep.
private let lookupRequest = Request(method: .get, path: "/api/v1/resource4/42")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2))

    for count in [10, 1_000] {
        let routes = table(routes: count)
        Benchmark("Route lookup among \(count) routes") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try routes.respond(to: lookupRequest))
            }
        }
    }

    let routes = table(routes: 100)
    try! routes.add(.get, "/", handler: ConstantHandler(.text("Hello from eventserver\n")))
    for active in [false, true] {
        let state = MaintenanceState(active: active)
        let gate = MaintenanceGate(state: state, page: MaintenancePage(retryAfterSeconds: 300))
        let root = ErrorRenderer(wrapping: GatedRoutes(routes: routes, gate: gate), logger: Logger(label: "benchmark"))
        let request = Request(method: .get, path: "/", headers: ["Host": "127.0.0.1:8080"])
        Benchmark("Request to response through the gate, \(active ? "in maintenance" : "serving")") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(root.respond(to: request))
            }
        }
    }
}

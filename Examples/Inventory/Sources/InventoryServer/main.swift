import EventServer
import Routes

#if canImport(Glibc)
import Glibc
#endif

// A small embedding: flags by hand (`--host`, `--port`, `--admin-token`), the ready modules,
// this application's module, run. SIGUSR1/SIGUSR2 drive maintenance exactly as in eventserver.
var configuration = ServerConfiguration()
var adminToken = "change-me"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch (flag, arguments.next()) {
    case let ("--host", value?): configuration.host = value
    case let ("--port", value?): configuration.port = Int(value) ?? configuration.port
    case let ("--admin-token", value?): adminToken = value
    default:
        print("usage: inventory-server [--host HOST] [--port PORT] [--admin-token TOKEN]")
        exit(2)
    }
}

do {
    let server = try Server(configuration: configuration)
    try server.register(GreetingRoutes())
    try server.register(HealthRoutes(maintenance: server.maintenance))
    try server.register(StatusRoutes(maintenance: server.maintenance, statistics: server.statistics))
    try server.register(InventoryRoutes(store: InventoryStore(), adminToken: adminToken))
    try server.run()
} catch {
    let line = Array("inventory-server: error: \(error)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

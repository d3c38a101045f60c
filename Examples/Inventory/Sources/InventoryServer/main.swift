import EventServer
import Routes

#if canImport(Glibc)
import Glibc
#endif

// A small embedding: flags by hand (`--host`, `--port`, `--admin-token`, `--database`), the
// ready modules, this application's module, run. SIGUSR1/SIGUSR2 drive maintenance exactly as
// in eventserver.
var configuration = ServerConfiguration()
var adminToken = "change-me"
var databasePath = "inventory.sqlite"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch (flag, arguments.next()) {
    case let ("--host", value?): configuration.host = value
    case let ("--port", value?): configuration.port = Int(value) ?? configuration.port
    case let ("--admin-token", value?): adminToken = value
    case let ("--database", value?): databasePath = value
    default:
        print("usage: inventory-server [--host HOST] [--port PORT] [--admin-token TOKEN] [--database FILE]")
        exit(2)
    }
}

do {
    let server = try Server(configuration: configuration)
    try server.register(GreetingRoutes())
    try server.register(HealthRoutes(maintenance: server.maintenance))
    try server.register(StatusRoutes(maintenance: server.maintenance, statistics: server.statistics))
    try server.register(MetricsRoutes(maintenance: server.maintenance, statistics: server.statistics))
    let store = try InventoryStore(path: databasePath)
    try server.register(InventoryRoutes(store: store, adminToken: adminToken))
    try server.run()
    try store.close()
} catch {
    let line = Array("inventory-server: error: \(error)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

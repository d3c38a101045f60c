import EventServerTesting
import Foundation
import Testing

/// The separate package in Examples/Inventory embeds eventserver: its own module (async handlers
/// over SQLite) is served next to the ready ones, and SIGUSR1 gates its routes too. `make test`
/// builds it first.
@Suite struct EmbeddingExampleTests {
    static var binaryPath: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("Examples/Inventory/.build/debug/inventory-server").path
    }

    @Test func exampleServesItsModuleAndHonoursMaintenance() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binaryPath) else {
            throw TestFailure("\(Self.binaryPath) is missing: build it with `make test` (swift build --package-path Examples/Inventory)")
        }
        let database = temporaryPath("inventory.sqlite")
        defer { try? FileManager.default.removeItem(atPath: database) }
        let server = try ServerProcess(["--admin-token", "s3cret", "--database", database], executable: Self.binaryPath)
        let item = try HTTPConnection(port: server.port).get("/items/2")
        #expect(item.status == 200)
        #expect(item.text == #"{"id":2,"name":"saw"}"#)
        #expect(try HTTPConnection(port: server.port).get("/items/99").status == 404)

        let refused = try HTTPConnection(port: server.port)
        try refused.write("POST /admin/items HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nwrench")
        #expect(try refused.readResponse().status == 401)
        let admitted = try HTTPConnection(port: server.port)
        try admitted.write("POST /admin/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 6\r\n\r\nwrench")
        let created = try admitted.readResponse()
        #expect(created.status == 201)
        #expect(created.text == #"{"id":3,"name":"wrench"}"#)

        // The module's own counter, recorded through swift-metrics, is in /metrics next to the
        // server's series, and the reference parser accepts the whole exposition.
        let metrics = try parseWithPrometheusClient(try HTTPConnection(port: server.port).get("/metrics").text)
        #expect(metrics["inventory_items_created_total"] == 1)
        #expect(metrics["eventserver_maintenance"] == 0)

        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        #expect(try HTTPConnection(port: server.port).get("/items/2").status == 503)
        #expect(try HTTPConnection(port: server.port).get("/items").status == 503)
        #expect(try HTTPConnection(port: server.port).get("/livez").status == 200)
        server.send(SIGUSR2)
        try server.waitForState("serving")
        #expect(try HTTPConnection(port: server.port).get("/items").status == 200)

        // The item written through the async driver is in the file: a new process serves it.
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
        let restarted = try ServerProcess(["--database", database], executable: Self.binaryPath)
        let items = try HTTPConnection(port: restarted.port).get("/items")
        #expect(items.status == 200)
        #expect(items.text == #"[{"id":1,"name":"hammer"},{"id":2,"name":"saw"},{"id":3,"name":"wrench"}]"#)
    }
}

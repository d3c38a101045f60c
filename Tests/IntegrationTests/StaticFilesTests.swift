import EventServerTesting
import Foundation
import Testing

/// Static files from the stock binary: types, validators, ranges, and every traversal shape.
@Suite final class StaticFilesTests {
    let base: URL
    let folder: URL
    let server: ServerProcess
    let secret: URL

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID())")
        folder = base.appendingPathComponent("public")
        secret = base.appendingPathComponent("secret.txt")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("docs/empty"), withIntermediateDirectories: true)
        try "<h1>home</h1>\n".write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "body{}\n".write(to: folder.appendingPathComponent("site.css"), atomically: true, encoding: .utf8)
        try "guide\n".write(to: folder.appendingPathComponent("docs/index.html"), atomically: true, encoding: .utf8)
        try Data((0..<100).map { UInt8($0) }).write(to: folder.appendingPathComponent("data.bin"))
        try "top secret\n".write(to: secret, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("leak.txt"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("css-link.css"), withDestinationURL: folder.appendingPathComponent("site.css"))
        server = try ServerProcess(["--root", folder.path])
    }

    deinit {
        try? FileManager.default.removeItem(at: base)
    }

    private func get(_ path: String, headers: [String: String] = [:], method: String = "GET") throws -> HTTPResponse {
        try HTTPConnection(port: server.port).get(path, method: method, headers: headers)
    }

    @Test func servesFilesWithTypesAndValidators() throws {
        let css = try get("/static/site.css")
        #expect(css.status == 200)
        #expect(css.text == "body{}\n")
        #expect(css[header: "Content-Type"] == "text/css; charset=utf-8")
        #expect(css[header: "ETag"]?.hasPrefix("\"") == true)
        #expect(css[header: "Last-Modified"]?.hasSuffix("GMT") == true)
        #expect(try get("/static/data.bin")[header: "Content-Type"] == "application/octet-stream")
        #expect(try get("/static/css-link.css").text == "body{}\n")  // a link inside the root is fine
    }

    @Test func directoriesServeTheirIndexOrNothing() throws {
        #expect(try get("/static/").text == "<h1>home</h1>\n")
        #expect(try get("/static/docs").text == "guide\n")
        #expect(try get("/static/docs/empty").status == 404)
    }

    @Test func conditionalRequestsGet304() throws {
        let first = try get("/static/site.css")
        let etag = try #require(first[header: "ETag"])
        let modified = try #require(first[header: "Last-Modified"])
        let byTag = try get("/static/site.css", headers: ["If-None-Match": etag])
        #expect(byTag.status == 304)
        #expect(byTag.body.isEmpty)
        #expect(try get("/static/site.css", headers: ["If-None-Match": "\"other\", \(etag)"]).status == 304)
        #expect(try get("/static/site.css", headers: ["If-Modified-Since": modified]).status == 304)
        #expect(try get("/static/site.css", headers: ["If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"]).status == 200)
        #expect(try get("/static/site.css", headers: ["If-None-Match": "\"stale\""]).status == 200)
    }

    @Test func singleRangesGet206Or416() throws {
        let partial = try get("/static/data.bin", headers: ["Range": "bytes=10-19"])
        #expect(partial.status == 206)
        #expect(partial.body == Array(10..<20))
        #expect(partial[header: "Content-Range"] == "bytes 10-19/100")
        let suffix = try get("/static/data.bin", headers: ["Range": "bytes=-5"])
        #expect(suffix.body == Array(95..<100))
        let outside = try get("/static/data.bin", headers: ["Range": "bytes=500-"])
        #expect(outside.status == 416)
        #expect(outside[header: "Content-Range"] == "bytes */100")
        let staleIfRange = try get("/static/data.bin", headers: ["Range": "bytes=0-0", "If-Range": "\"old\""])
        #expect(staleIfRange.status == 200)
        #expect(staleIfRange.body.count == 100)
    }

    @Test func headHasLengthWithoutBody() throws {
        let connection = try HTTPConnection(port: server.port)
        let head = try connection.get("/static/data.bin", method: "HEAD")
        #expect(head.status == 200)
        #expect(head[header: "Content-Length"] == "100")
        #expect(try connection.get("/static/site.css").text == "body{}\n")
    }

    @Test(arguments: [
        "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2E%2E%2Fsecret.txt",
        "/static//etc/passwd", "/static/%2Fetc%2Fpasswd", "/static/leak.txt", "/static/./site.css",
        "/static/docs/../../secret.txt", "/static/nope.txt", "/static/site.css%00.png",
    ])
    func traversalAttemptsAreRefused(path: String) throws {
        let response = try get(path)
        #expect(response.status == 404)
        #expect(!response.text.contains("secret"))
    }

    @Test func largeFileIsStreamedWhole() throws {
        let size = 8 * 1024 * 1024
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 4096) { bytes[index] = UInt8(truncatingIfNeeded: index / 4096) }
        try Data(bytes).write(to: folder.appendingPathComponent("big.bin"))
        let response = try get("/static/big.bin")
        #expect(response.status == 200)
        #expect(response.body.count == size)
        #expect(response.body == bytes)
    }

    @Test func maintenanceGatesStaticFiles() throws {
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        #expect(try get("/static/site.css").status == 503)
    }
}

@Suite struct RoutesCommandTests {
    @Test func printsTheStockRouteTable() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binaryPath)
        process.arguments = ["routes", "--root", FileManager.default.temporaryDirectory.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["METHOD", "PATTERN", "MODULE", "EXEMPT"])
        #expect(lines.contains(["GET", "/livez", "HealthRoutes", "yes"]))
        #expect(lines.contains(["GET", "/static/*path", "StaticFiles", "no"]))
        #expect(lines.contains(["GET", "/", "GreetingRoutes", "no"]))
    }
}

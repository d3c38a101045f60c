import EventServerTesting
import Foundation
import Testing

/// At `--max-connections` accepting pauses with descriptors to spare, so requests on the open
/// connections still get their static files (no 404 for want of a descriptor).
@Suite struct HeadroomTests {
    @Test func staticFilesAreServedAtTheConnectionCap() throws {
        let root = temporaryPath("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "hello\n".write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--max-connections", "8", "--root", root])
        let connections = try (0..<8).map { _ in try HTTPConnection(port: server.port) }
        // Every connection asks at once, so every file is open at the same time at the cap.
        for connection in connections { try connection.write("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n") }
        for connection in connections {
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello\n")
        }
        let waiting = try HTTPConnection(port: server.port, timeoutSeconds: 1)
        try waiting.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: HTTPClientError.self) { try waiting.readResponse() }  // the ninth waits
    }
}

import EventServerTesting
import Foundation
import Testing

/// The transport's two ways through libevent (Evhttp/LibeventRuntime.swift): the tuned paths
/// written for 2.1 and the plain public-API paths it takes on any other libevent, forced here
/// with `EVENTSERVER_PLAIN_LIBEVENT=1`. The same core cases must hold on both.
@Suite struct LibeventPathsTests {
    enum Paths: String, CaseIterable, CustomTestStringConvertible {
        case tuned, plain
        var environment: [String: String] { self == .plain ? ["EVENTSERVER_PLAIN_LIBEVENT": "1"] : [:] }
        var testDescription: String { rawValue }
    }

    /// The allocator the binary reports: the free lists, unless the environment asks for malloc
    /// (the AddressSanitizer run of `make check-robust` does, and the server inherits it).
    static var allocator: String {
        let asked = ProcessInfo.processInfo.environment["EVENTSERVER_SYSTEM_ALLOCATOR"] ?? ""
        return asked.isEmpty || asked == "0" ? "free-list allocator" : "system allocator (EVENTSERVER_SYSTEM_ALLOCATOR)"
    }

    @Test(arguments: Paths.allCases)
    func startUpLineAndVersionSayWhichPathsAreInEffect(paths: Paths) throws {
        let server = try ServerProcess([], environment: paths.environment)
        let line = try server.waitForLog(containing: "listening on")
        #expect(line.contains("libevent=2.1.12-stable (\(paths) paths, \(Self.allocator), 3 overrides reached)"))
        if paths == .plain {
            try server.waitForLog(containing: "EVENTSERVER_PLAIN_LIBEVENT is set: using libevent's plain paths")
        } else {
            #expect(!server.log.contains("plain paths"))
        }
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)

        let version = try runEventserver(["--version"], environment: paths.environment)
        #expect(version.status == 0)
        #expect(version.output.contains("eventserver 0."))
        #expect(version.output.contains("libevent 2.1.12-stable (\(paths) paths, \(Self.allocator), 3 overrides reached)"))
    }

    @Test(arguments: Paths.allCases)
    func keepAlivePipeliningHeadAndErrors(paths: Paths) throws {
        let server = try ServerProcess([], environment: paths.environment)
        let connection = try HTTPConnection(port: server.port)
        for _ in 0..<3 {
            let reply = try connection.get("/")
            #expect(reply.status == 200)
            #expect(reply.text == "Hello from eventserver\n")
            #expect(reply[header: "Content-Length"] == "23")
            for name in ["date", "content-type", "content-length"] {
                #expect(reply.headers.filter { $0.name.lowercased() == name }.count == 1, "\(name)")
            }
        }
        // Three requests in one write: three replies, in order, on the same connection.
        try connection.write(String(repeating: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", count: 2) + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.readResponse().status == 404)
        let head = try connection.get("/", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head[header: "Content-Length"] == "23")
        let notAllowed = try connection.get("/", method: "DELETE")
        #expect(notAllowed.status == 405)
        #expect(notAllowed[header: "Allow"] != nil)
        #expect(try connection.get("/").status == 200)

        // A framing attack is refused and closed; the server goes on serving.
        let smuggler = try HTTPConnection(port: server.port)
        try smuggler.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        #expect(try smuggler.readResponse().status == 400)
        #expect(smuggler.isClosedByServer())

        let closing = try HTTPConnection(port: server.port)
        let last = try closing.get("/", headers: ["Connection": "close"])
        #expect(last.status == 200)
        #expect(last[header: "Connection"] == "close")
        #expect(closing.isClosedByServer())
        #expect(try HTTPConnection(port: server.port).get("/").status == 200)
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
    }

    @Test(arguments: Paths.allCases)
    func maintenanceSignalsGateEveryRoute(paths: Paths) throws {
        let server = try ServerProcess([], environment: paths.environment)
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.get("/").status == 200)
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let gated = try connection.get("/")  // the same keep-alive connection
        #expect(gated.status == 503)
        #expect(gated[header: "Retry-After"] == "300")
        #expect(gated[header: "Cache-Control"] == "no-store")
        #expect(gated.text.contains("down for maintenance"))
        #expect(try connection.get("/livez").status == 200)
        server.send(SIGUSR2)
        try server.waitForState("serving")
        #expect(try connection.get("/").status == 200)
        server.send(SIGTERM)
        #expect(try server.waitForExit() == 0)
    }
}

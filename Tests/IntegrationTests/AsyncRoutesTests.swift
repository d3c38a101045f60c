import EventServerTesting
import Foundation
import Testing

/// Async handlers run as tasks on the loop (Tests/AsyncFixture serves them): answers, errors,
/// middleware, the gate, a client hanging up, and a graceful stop with replies pending.
@Suite struct AsyncRoutesTests {
    static func fixture(_ arguments: [String] = []) throws -> ServerProcess {
        try ServerProcess(arguments, executable: ServerProcess.asyncFixturePath)
    }

    @Test func asyncRoutesAnswerFromTheLoopThread() throws {
        let server = try Self.fixture()
        let connection = try HTTPConnection(port: server.port)
        for _ in 0..<3 {  // keep-alive: one connection, one task per request
            let hello = try connection.get("/async/hello")
            #expect(hello.status == 200)
            #expect(hello.text == "hello from a task\n")
            #expect(hello[header: "X-Loop-Thread"] == "yes")
        }
        // Pipelined: an async reply, then a sync one, in order.
        try connection.write("GET /async/sleep/50 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().text == "slept 50\n")
        #expect(try connection.readResponse().text == "Hello from eventserver\n")
        let echo = try HTTPConnection(port: server.port)
        try echo.write("POST /async/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try echo.readResponse().text == "hello")
    }

    /// The transport refills one header list per request in place; a request a task still holds
    /// must keep its own fields while later requests are read.
    @Test func aTaskKeepsItsRequestsHeadersWhileOthersAreRead() throws {
        let server = try Self.fixture()
        let slow = try HTTPConnection(port: server.port)
        try slow.write("GET /async/sleep/300 HTTP/1.1\r\nHost: x\r\nX-Tag: first\r\nX-Extra: 1\r\n\r\n")
        for number in 0..<5 {
            let other = try HTTPConnection(port: server.port).get("/", headers: ["X-Tag": "other \(number)"])
            #expect(other.status == 200)
        }
        let reply = try slow.readResponse()
        #expect(reply.text == "slept 300\n")
        #expect(reply[header: "X-Tag"] == "first")
    }

    /// The transport keeps a connection's socket registered for reading between requests
    /// (`ReadInterest`); bytes that arrive while a task answers, when evhttp is not reading,
    /// must not wake the loop on every pass.
    @Test func bytesSentWhileATaskAnswersDoNotSpinTheLoop() throws {
        let server = try Self.fixture()
        let connection = try HTTPConnection(port: server.port)
        try connection.write("GET /async/sleep/1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        try Self.waitForRepliesInFlight(2, server)  // read: evhttp has stopped reading
        let cpuBefore = try server.cpuSeconds()
        let start = Date()
        try connection.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().text == "slept 1500\n")
        let waited = Date().timeIntervalSince(start)
        let used = try server.cpuSeconds() - cpuBefore
        #expect(try connection.readResponse().text == "Hello from eventserver\n")
        // A loop woken by the unread bytes on every pass uses a core for the whole wait.
        #expect(used < waited / 2, "the server used \(used) s of CPU in \(waited) s")
    }

    @Test func thrownErrorsMapAsInSyncHandlers() throws {
        let server = try Self.fixture()
        let teapot = try HTTPConnection(port: server.port).get("/async/teapot")
        #expect(teapot.status == 409)
        #expect(teapot.text == "already brewing\n")
        let broken = try HTTPConnection(port: server.port).get("/async/broken")
        #expect(broken.status == 500)
        #expect(broken.text == "Internal Server Error\n")
        #expect(!broken.text.contains("FixtureFailure"))
        try server.waitForLog(containing: "handler failed")
    }

    @Test func middlewareWrapsAsyncRoutes() throws {
        let server = try Self.fixture()
        #expect(try HTTPConnection(port: server.port).get("/guarded/async").status == 401)
        let admitted = try HTTPConnection(port: server.port).get("/guarded/async", headers: ["X-Token": "fixture"])
        #expect(admitted.status == 200)
        #expect(admitted.text == "admitted\n")
        #expect(admitted[header: "X-Checked"] == "yes")
    }

    @Test func theGateDecidesAtDispatch() throws {
        let server = try Self.fixture()
        let inFlight = try HTTPConnection(port: server.port)
        try inFlight.write("GET /async/sleep/1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        try Self.waitForRepliesInFlight(2, server)  // that one and the metrics request itself
        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        #expect(try HTTPConnection(port: server.port).get("/async/hello").status == 503)
        // It passed the gate before maintenance began: it completes.
        let completed = try inFlight.readResponse()
        #expect(completed.status == 200)
        #expect(completed.text == "slept 1500\n")
    }

    /// Whether the handler sleeps with `Task.sleep` or on the loop's timer (`LoopClock`).
    @Test(arguments: ["sleep", "loop-sleep"])
    func aClientHangingUpCancelsItsTask(route: String) throws {
        let server = try Self.fixture()
        do {
            let leaving = try HTTPConnection(port: server.port)
            try leaving.write("GET /async/\(route)/30000 HTTP/1.1\r\nHost: x\r\n\r\n")
            try Self.waitForRepliesInFlight(2, server)
        }  // closed here
        try Self.waitForCancellations(1, server)
        try Self.waitForRepliesInFlight(1, server)  // only the metrics request that asks
        #expect(try HTTPConnection(port: server.port).get("/async/hello").status == 200)
        #expect(!server.log.contains("handler failed"))
    }

    /// `LoopClock` sleeps on the loop's timer: the reply comes from the loop thread after the
    /// time asked, and many sleeps run at once.
    @Test func loopClockSleepsOnTheLoop() throws {
        let server = try Self.fixture()
        let connection = try HTTPConnection(port: server.port)
        let start = Date()
        let reply = try connection.get("/async/loop-sleep/200")
        // libevent may time with a coarse monotonic clock (1 ms steps): up to 1 ms short.
        #expect(Date().timeIntervalSince(start) >= 0.199)
        #expect(reply.text == "slept 200\n")
        #expect(reply[header: "X-Loop-Thread"] == "yes")
        let many = try (0..<50).map { _ in try HTTPConnection(port: server.port) }
        for client in many { try client.write("GET /async/loop-sleep/300 HTTP/1.1\r\nHost: x\r\n\r\n") }
        for client in many { #expect(try client.readResponse().text == "slept 300\n") }
    }

    @Test func gracefulStopWaitsForAsyncReplies() throws {
        let server = try Self.fixture(["--shutdown-timeout", "20"])
        let pending = try HTTPConnection(port: server.port, timeoutSeconds: 20)
        try pending.write("GET /async/sleep/1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        try Self.waitForRepliesInFlight(2, server)
        server.send(SIGTERM)
        try server.waitForLog(containing: "stopping")
        let reply = try pending.readResponse()
        #expect(reply.status == 200)
        #expect(reply.text == "slept 1500\n")
        #expect(reply[header: "Connection"] == "close")
        #expect(try server.waitForExit() == 0)
    }

    static func waitForRepliesInFlight(_ count: Int, _ server: ServerProcess, seconds: Double = 10) throws {
        try waitFor("eventserver_replies_in_flight \(count)\n", at: "/metrics", server, seconds: seconds)
    }

    static func waitForCancellations(_ count: Int, _ server: ServerProcess, seconds: Double = 10) throws {
        try waitFor("\(count)\n", at: "/async/cancellations", server, seconds: seconds, exact: true)
    }

    private static func waitFor(_ text: String, at path: String, _ server: ServerProcess, seconds: Double, exact: Bool = false) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = (try? HTTPConnection(port: server.port).get(path).text) ?? ""
            if exact ? last == text : last.contains(text) { return }
            usleep(10_000)
        }
        throw TestFailure("\(path) never showed \(text.debugDescription) within \(seconds)s; last: \(last)")
    }
}

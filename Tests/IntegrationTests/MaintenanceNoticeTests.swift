import EventServerTesting
import Foundation
import Testing

/// `ctl maintenance on --message … --until …`: the notice on the page (escaped), in the JSON
/// reply, in `Retry-After`, in `/status` and `ctl status`; kept across a restart by the state
/// file; cleared by leaving maintenance; placed in an operator's page by placeholders.
@Suite struct MaintenanceNoticeTests {
    private static let hostile = #"<script>alert("x")</script> & 'DB' upgrade"#

    private struct StatusNotice: Decodable {
        let state: String
        let message: String?
        let until: String?
    }

    private func status(_ port: Int) throws -> StatusNotice {
        try JSONDecoder().decode(StatusNotice.self, from: Data(try HTTPConnection(port: port).get("/status").body))
    }

    private func retryAfter(_ response: HTTPResponse) -> Int { Int(response[header: "Retry-After"] ?? "") ?? -1 }

    @Test func noticeIsShownEscapedCountsDownAndSurvivesARestart() throws {
        let pidFile = temporaryPath("pid")
        let stateFile = temporaryPath("state")
        var server: ServerProcess? = try ServerProcess(["--pid-file", pidFile, "--state-file", stateFile, "--retry-after", "300"])
        let port = server!.port
        let on = try runEventserver([
            "ctl", "maintenance", "on", "--pid-file", pidFile, "--message", Self.hostile, "--until", "+90s",
        ])
        #expect(on.status == 0, "\(on.errors)")
        #expect(on.output.contains("planned end "))
        #expect(!FileManager.default.fileExists(atPath: pidFile + ".notice"), "ctl leaves no notice behind")

        let page = try HTTPConnection(port: port).get("/")
        #expect(page.status == 503)
        #expect(page.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;DB&#39; upgrade"))
        #expect(!page.text.contains("<script>"))
        #expect((1...90).contains(retryAfter(page)), "Retry-After counts down to the planned end")
        #expect(page[header: "Cache-Control"] == "no-store")

        let json = try HTTPConnection(port: port).get("/", headers: ["Accept": "application/json"])
        struct Reply: Decodable { let status: String; let message: String; let until: String?; let retry_after_seconds: Int }
        let reply = try JSONDecoder().decode(Reply.self, from: Data(json.body))
        #expect(reply.message == Self.hostile)
        let until = try #require(reply.until)
        #expect(page.text.contains(until))
        #expect((1...90).contains(reply.retry_after_seconds))

        let live = try status(port)
        #expect(live.message == Self.hostile)
        #expect(live.until == until)
        let ctlStatus = try runEventserver(["ctl", "status", "--pid-file", pidFile])
        #expect(ctlStatus.output.contains("planned end \(until)"))
        #expect(ctlStatus.output.contains(Self.hostile))

        // A restart reads the notice back from the state file.
        server!.send(SIGTERM)
        #expect(try server!.waitForExit() == 0)
        server = try ServerProcess(["--pid-file", pidFile, "--state-file", stateFile, "--retry-after", "300"])
        let restarted = try HTTPConnection(port: server!.port).get("/")
        #expect(restarted.status == 503)
        #expect(restarted.text.contains("&lt;script&gt;"))
        #expect(restarted.text.contains(until))
        #expect((1...90).contains(retryAfter(restarted)))
        #expect(try status(server!.port).message == Self.hostile)
    }

    @Test func leavingClearsTheNoticeAndAPlainSignalShowsTheDefaultPage() throws {
        let pidFile = temporaryPath("pid")
        let stateFile = temporaryPath("state")
        let server = try ServerProcess(["--pid-file", pidFile, "--state-file", stateFile, "--retry-after", "42"])
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile, "--message", "back at noon"])
        #expect(on.status == 0, "\(on.errors)")
        #expect(try HTTPConnection(port: server.port).get("/").text.contains("back at noon"))
        #expect(retryAfter(try HTTPConnection(port: server.port).get("/")) == 42, "no planned end: --retry-after")

        let off = try runEventserver(["ctl", "maintenance", "off", "--pid-file", pidFile])
        #expect(off.status == 0)
        #expect(!(try String(contentsOfFile: stateFile, encoding: .utf8)).contains("back at noon"))

        server.send(SIGUSR1)
        try server.waitForState("maintenance")
        let page = try HTTPConnection(port: server.port).get("/")
        #expect(page.status == 503)
        #expect(!page.text.contains("back at noon"))
        #expect(page.text.contains("The service is down for maintenance."))
        #expect(retryAfter(page) == 42)
        let live = try status(server.port)
        #expect(live.message == nil && live.until == nil)
    }

    @Test func aNoticeUpdatesTheMessageWhileAlreadyInMaintenance() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        #expect(try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile]).status == 0)
        let update = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile, "--message", "now with ETA", "--until", "+2h"])
        #expect(update.status == 0, "\(update.errors)")
        let page = try HTTPConnection(port: server.port).get("/")
        #expect(page.text.contains("now with ETA"))
        #expect((7000...7200).contains(retryAfter(page)))
    }

    @Test func operatorsPagePlacesTheNoticeWithPlaceholders() throws {
        let pidFile = temporaryPath("pid")
        let pagePath = temporaryPath("page.html")
        try "<h1>Down</h1><p>{{message}}</p><p>until {{until}}</p><p>retry in {{retry_after}} s</p>"
            .write(toFile: pagePath, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--pid-file", pidFile, "--maintenance-page", pagePath, "--retry-after", "30"])
        let end = "2099-01-02T03:04:05Z"
        let on = try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile, "--message", "a < b", "--until", end])
        #expect(on.status == 0, "\(on.errors)")
        let page = try HTTPConnection(port: server.port).get("/").text
        #expect(page.hasPrefix("<h1>Down</h1><p>a &lt; b</p><p>until \(end)</p><p>retry in "))
        #expect(!page.contains("{{"))

        // Without a notice the placeholders take the default sentence, an empty end and --retry-after.
        #expect(try runEventserver(["ctl", "maintenance", "off", "--pid-file", pidFile]).status == 0)
        #expect(try runEventserver(["ctl", "maintenance", "on", "--pid-file", pidFile]).status == 0)
        let plain = try HTTPConnection(port: server.port).get("/").text
        #expect(plain == "<h1>Down</h1><p>The service is down for maintenance.</p><p>until </p><p>retry in 30 s</p>")
    }

    @Test func badNoticesAreRefusedBeforeAnySignal() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        for (arguments, reason) in [
            (["on", "--until", "tomorrow"], "expected +90s, +30m, +2h or an RFC 3339 time"),
            (["on", "--until", "2001-01-01T00:00:00Z"], "has already passed"),
            (["on", "--message", String(repeating: "x", count: 1001)], "longer than 1000 bytes"),
            (["off", "--message", "x"], "go with `on`"),
        ] {
            let result = try runEventserver(["ctl", "maintenance"] + arguments + ["--pid-file", pidFile])
            #expect(result.status != 0)
            #expect(result.errors.contains(reason), "\(result.errors)")
        }
        #expect(try status(server.port).state == "serving")
    }

    @Test func aNoticeFileOthersMayWriteIsIgnored() throws {
        let pidFile = temporaryPath("pid")
        let server = try ServerProcess(["--pid-file", pidFile])
        let forged = #"{"message":"forged","written_unix":\#(Int(Date().timeIntervalSince1970))}"#
        try forged.write(toFile: pidFile + ".notice", atomically: false, encoding: .utf8)
        chmod(pidFile + ".notice", 0o666)
        defer { unlink(pidFile + ".notice") }
        server.send(SIGUSR1)
        _ = try server.waitForLog(containing: "maintenance notice ignored")
        try server.waitForState("maintenance")
        #expect(!(try HTTPConnection(port: server.port).get("/").text.contains("forged")))
    }
}

import Testing
@testable import EventServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct MaintenanceNoticePartsTests {
    @Test func plannedEndReadsRelativeAndRFC3339Times() {
        let now = 1_800_000_000
        #expect(PlannedEnd.parse("+90s", now: now) == now + 90)
        #expect(PlannedEnd.parse("+30m", now: now) == now + 1800)
        #expect(PlannedEnd.parse("+2h", now: now) == now + 7200)
        #expect(PlannedEnd.parse("2026-11-30T14:00:00Z", now: now) == 1_796_047_200)
        #expect(PlannedEnd.parse("2026-11-30T15:00:00+01:00", now: now) == 1_796_047_200)
        #expect(PlannedEnd.parse("2026-11-30T13:30:00.250-00:30", now: now) == 1_796_047_200)
        for bad in ["", "+", "+0s", "+-5m", "+5d", "+5", "90s", "tomorrow", "2026-02-30T00:00:00Z",
                    "2026-11-30T14:00:00", "2026-11-30T24:00:00Z", "2026-11-30T14:00:00Zjunk", "+99999999999h"] {
            #expect(PlannedEnd.parse(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func retryAfterCountsDownThenFallsBack() {
        let notice = MaintenanceNotice(message: nil, until: 1000)
        #expect(notice.retryAfterSeconds(now: 900, otherwise: 300) == 100)
        #expect(notice.retryAfterSeconds(now: 999, otherwise: 300) == 1)
        #expect(notice.retryAfterSeconds(now: 1000, otherwise: 300) == 300)
        #expect(MaintenanceNotice(message: "m").retryAfterSeconds(now: 5, otherwise: 7) == 7)
    }

    @Test func escapingKeepsTextInertInHTMLAndJSON() {
        #expect(TextEscaping.html(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(TextEscaping.jsonString("a\"b\\c\n\u{1}</script>é") == #""a\"b\\c\n\u0001\u003c/script>é""#)
    }

    @Test func handoverCarriesTheNotice() {
        let notice = MaintenanceNotice(message: "déjà vu, 100 %", until: 1_796_047_200)
        let line = HandoverNotice.encode(notice).split(separator: " ")
        #expect(line.count == 2)
        #expect(HandoverNotice.decode(until: line[0], message: line[1]) == notice)
        let none = HandoverNotice.encode(nil).split(separator: " ")
        #expect(HandoverNotice.decode(until: none[0], message: none[1]) == nil)
    }

    @Test func leavingForgetsTheNoticeAndEnteringAgainUpdatesIt() {
        let state = MaintenanceState()
        #expect(state.enter(notice: MaintenanceNotice(message: "one")))
        #expect(!state.enter(notice: MaintenanceNotice(message: "two")))
        #expect(state.notice?.message == "two")
        #expect(!state.enter())
        #expect(state.notice?.message == "two", "a plain signal keeps the notice in force")
        #expect(state.leave())
        #expect(state.notice == nil)
        #expect(state.enter())
        #expect(state.notice == nil)
    }

    @Test func stateFileKeepsTheNotice() throws {
        let path = "/tmp/eventserver-notice-state-\(getpid())"
        defer { unlink(path) }
        let file = StateFile(path: path)
        let notice = MaintenanceNotice(message: "quote \" and\nline", until: 1_796_047_200)
        try file.write(maintenance: true, since: 5, notice: notice)
        #expect(file.read() == .recorded(maintenance: true, since: 5, notice: notice))
        try file.write(maintenance: false, since: 6, notice: notice)
        #expect(file.read() == .recorded(maintenance: false, since: 6))
    }
}

@Suite struct MaintenanceNoticeCountdownTests {
    /// The page is rebuilt as the clock moves: `Retry-After` counts down to the planned end, then
    /// falls back to the configured value; the message stays until the notice changes.
    @Test func retryAfterFollowsTheClock() {
        let clock = Clock(now: 1_000)
        let responder = MaintenanceResponder(page: MaintenancePage(retryAfterSeconds: 300), now: { clock.now })
        let notice = MaintenanceNotice(message: "back soon", until: 1_090)
        let request = Request(method: .get, path: "/")
        #expect(responder.reply(to: request, notice: notice).headers["Retry-After"] == "90")
        clock.now = 1_089
        #expect(responder.reply(to: request, notice: notice).headers["Retry-After"] == "1")
        clock.now = 1_200
        let after = responder.reply(to: request, notice: notice)
        #expect(after.headers["Retry-After"] == "300")
        #expect(String(decoding: after.body, as: UTF8.self).contains("back soon"))
        #expect(responder.reply(to: request).headers["Retry-After"] == "300")
    }

    @Test func aHandWrittenMessageIsCappedAtACharacterBoundary() {
        let long = String(repeating: "é", count: 600)  // 1,200 bytes
        let capped = NoticeFile.capped(long)
        #expect(capped.utf8.count == 1000)
        #expect(capped == String(repeating: "é", count: 500))
    }

    private final class Clock {
        var now: Int
        init(now: Int) { self.now = now }
    }
}

@Suite struct MaintenancePagePlaceholderTests {
    @Test func placeholdersAreReplacedOnceAndEscaped() {
        let template = Array("<p>{{message}}</p><p>{{until}}</p><p>{{retry_after}}</p><p>{{other}}</p>".utf8)
        let page = MaintenancePage(
            retryAfterSeconds: 30, html: template, notice: MaintenanceNotice(message: "<b>{{until}}</b>", until: 1_796_047_200))
        #expect(String(decoding: page.htmlResponse.body, as: UTF8.self)
            == "<p>&lt;b&gt;{{until}}&lt;/b&gt;</p><p>2026-11-30T14:00:00Z</p><p>30</p><p>{{other}}</p>")
        let plain = MaintenancePage(retryAfterSeconds: 30, html: Array("no placeholders".utf8))
        #expect(plain.htmlResponse.body == Array("no placeholders".utf8))
    }
}

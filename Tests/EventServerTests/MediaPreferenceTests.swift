import Testing
@testable import EventServer

@Suite struct MediaPreferenceTests {
    @Test(arguments: [
        ("application/json", true),
        ("application/json, */*", true),
        ("application/*", true),
        ("text/html;q=0.5, application/json", true),
        ("application/json;q=0.9, text/html", false),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false),
        ("*/*", false),
        ("", false),
        ("text/plain", false),
        ("application/json;q=0", false),
        ("APPLICATION/JSON", true),
        ("application/json;q=0.5, text/html;q=0.4", true),
        ("application/json;level=1;q=0.7, text/html;q=0.6", true),
        ("application/json;q=abc, text/html;q=0.1", false),
        ("text/*;q=0.3, application/json;q=0.25", false),
        ("application/json;q=1.5, text/html;q=0.999", true),
        (",,, application/json ,", true),
    ])
    func acceptHeaderChoosesJSONOrHTML(accept: String, json: Bool) {
        #expect(MediaPreference.prefersJSON(accept) == json)
    }

    @Test func missingHeaderMeansHTML() {
        #expect(!MediaPreference.prefersJSON(nil))
    }
}

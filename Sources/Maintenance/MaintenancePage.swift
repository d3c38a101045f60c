import EventServerSupport
import HTTPCore
/// MaintenancePage holds the 503 replies sent during maintenance, built once per page and notice.
///
/// Each reply carries `Retry-After` and `Cache-Control: no-store`; the HTML body is either the
/// built-in page or an operator's file, and a JSON body serves clients that prefer JSON.
///
/// An operator's page may place the notice with placeholders, each replaced HTML-escaped:
/// `{{message}}` (the notice's message, or the default sentence), `{{until}}` (the planned end
/// as an RFC 3339 UTC time, or empty) and `{{retry_after}}` (the seconds sent in `Retry-After`).
public struct MaintenancePage: Sendable {
    /// The reply for clients that prefer HTML (browsers, curl).
    public let htmlResponse: Response
    /// The reply for clients whose `Accept` prefers `application/json`.
    public let jsonResponse: Response
    /// The `Retry-After` value, in seconds.
    public let retryAfterSeconds: Int
    /// The operator's page as read, placeholders unreplaced; nil for the built-in page.
    public let template: [UInt8]?

    /// The sentence shown when the notice carries no message.
    public static let defaultMessage = "The service is down for maintenance."

    /// Builds the replies; `html` (an operator's page, placeholders allowed) replaces the
    /// built-in page when given; `notice` adds the operator's message and planned end.
    public init(retryAfterSeconds: Int, html: [UInt8]? = nil, notice: MaintenanceNotice? = nil) {
        self.retryAfterSeconds = max(0, retryAfterSeconds)
        template = html
        let retryAfter = String(self.retryAfterSeconds)
        let common: HTTPHeaders = ["Retry-After": retryAfter, "Cache-Control": "no-store"]
        let message = notice?.message ?? Self.defaultMessage
        let until = notice?.until.map(UTCTime.iso8601)
        var htmlHeaders = common
        htmlHeaders.add(name: "Content-Type", value: "text/html; charset=utf-8")
        let body = html.map { Self.fill($0, message: message, until: until ?? "", retryAfter: retryAfter) }
            ?? Array(Self.builtInPage(message: notice?.message, until: until).utf8)
        htmlResponse = Response(status: .serviceUnavailable, headers: htmlHeaders, body: body)
        var jsonHeaders = common
        jsonHeaders.add(name: "Content-Type", value: "application/json")
        let json = """
            {"status":"maintenance","message":\(TextEscaping.jsonString(message)),\
            "until":\(until.map(TextEscaping.jsonString) ?? "null"),"retry_after_seconds":\(retryAfter)}\n
            """
        jsonResponse = Response(status: .serviceUnavailable, headers: jsonHeaders, body: Array(json.utf8))
    }

    /// Builds the replies with the HTML page read from `path`.
    public init(retryAfterSeconds: Int, htmlFile path: String) throws {
        self.init(retryAfterSeconds: retryAfterSeconds, html: try FileBytes.read(path))
    }

    /// The same page for `notice`, with `retryAfterSeconds` in `Retry-After`.
    public func with(notice: MaintenanceNotice?, retryAfterSeconds: Int) -> MaintenancePage {
        MaintenancePage(retryAfterSeconds: retryAfterSeconds, html: template, notice: notice)
    }

    /// The operator's page with its placeholders replaced (escaped), in one pass, so a message
    /// that itself reads `{{until}}` stays text.
    private static func fill(_ page: [UInt8], message: String, until: String, retryAfter: String) -> [UInt8] {
        let text = String(decoding: page, as: UTF8.self)
        guard text.contains("{{") else { return page }
        let values = ["{{message}}": TextEscaping.html(message), "{{until}}": TextEscaping.html(until), "{{retry_after}}": retryAfter]
        var filled = ""
        var rest = text[...]
        while let open = rest.firstRange(of: "{{") {
            filled += rest[..<open.lowerBound]
            let candidate = rest[open.lowerBound...]
            if let (placeholder, value) = values.first(where: { candidate.hasPrefix($0.key) }) {
                filled += value
                rest = candidate.dropFirst(placeholder.count)
            } else {
                filled += "{{"
                rest = candidate.dropFirst(2)
            }
        }
        filled += rest
        return Array(filled.utf8)
    }

    /// The built-in page, with the operator's message and planned end when given.
    private static func builtInPage(message: String?, until: String?) -> String {
        let text = message.map(TextEscaping.html) ?? "The service is down for maintenance. Please try again in a few minutes."
        let end = until.map { "\n<p>Planned end: <time datetime=\"\($0)\">\($0)</time></p>" } ?? ""
        return builtInHTML.replacing("{{notice}}", with: "<p>\(text)</p>" + end)
    }

    static let builtInHTML = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Down for maintenance</title>
        <style>
        body{margin:0;min-height:100vh;display:grid;place-items:center;font-family:system-ui,sans-serif;
        background:#f4f5f7;color:#1f2933}
        main{max-width:32rem;padding:2.5rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002}
        h1{margin-top:0;font-size:1.5rem}
        p{line-height:1.5}
        </style>
        </head>
        <body>
        <main>
        <h1>We&rsquo;ll be back soon</h1>
        {{notice}}
        </main>
        </body>
        </html>

        """
}

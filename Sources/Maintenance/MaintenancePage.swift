import EventServerSupport
import HTTPCore
/// MaintenancePage holds the 503 replies sent during maintenance, built once.
///
/// Each reply carries `Retry-After` and `Cache-Control: no-store`; the HTML body is either the
/// built-in page or an operator's file, and a JSON body serves clients that prefer JSON.
public struct MaintenancePage: Sendable {
    /// The reply for clients that prefer HTML (browsers, curl).
    public let htmlResponse: Response
    /// The reply for clients whose `Accept` prefers `application/json`.
    public let jsonResponse: Response
    /// The `Retry-After` value, in seconds.
    public let retryAfterSeconds: Int

    /// Builds the replies; `html` replaces the built-in page when given.
    public init(retryAfterSeconds: Int, html: [UInt8]? = nil) {
        self.retryAfterSeconds = max(0, retryAfterSeconds)
        let retryAfter = String(self.retryAfterSeconds)
        let common: HTTPHeaders = ["Retry-After": retryAfter, "Cache-Control": "no-store"]
        var htmlHeaders = common
        htmlHeaders.add(name: "Content-Type", value: "text/html; charset=utf-8")
        htmlResponse = Response(
            status: .serviceUnavailable, headers: htmlHeaders, body: html ?? Array(Self.builtInHTML.utf8))
        var jsonHeaders = common
        jsonHeaders.add(name: "Content-Type", value: "application/json")
        let json = """
            {"status":"maintenance","message":"The service is down for maintenance.",\
            "retry_after_seconds":\(retryAfter)}\n
            """
        jsonResponse = Response(status: .serviceUnavailable, headers: jsonHeaders, body: Array(json.utf8))
    }

    /// Builds the replies with the HTML page read from `path`.
    public init(retryAfterSeconds: Int, htmlFile path: String) throws {
        self.init(retryAfterSeconds: retryAfterSeconds, html: try FileBytes.read(path))
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
        <p>The service is down for maintenance. Please try again in a few minutes.</p>
        </main>
        </body>
        </html>

        """
}

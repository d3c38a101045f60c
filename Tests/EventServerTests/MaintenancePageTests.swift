import Foundation
import Testing
@testable import EventServer

@Suite struct MaintenancePageTests {
    @Test func pageFromFileReplacesTheBuiltInPage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID()).html").path
        try "<h1>Back at 3pm</h1>".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let page = try MaintenancePage(retryAfterSeconds: 60, htmlFile: path)
        #expect(String(decoding: page.htmlResponse.body, as: UTF8.self) == "<h1>Back at 3pm</h1>")
        #expect(page.htmlResponse.headers["Retry-After"] == "60")
    }

    @Test func unreadablePageFileIsAStartUpError() {
        #expect(throws: FileError.self) {
            try MaintenancePage(retryAfterSeconds: 60, htmlFile: "/nonexistent/page.html")
        }
    }

    @Test func jsonBodyIsValidJSON() throws {
        let page = MaintenancePage(retryAfterSeconds: 42)
        let object = try JSONSerialization.jsonObject(with: Data(page.jsonResponse.body)) as? [String: Any]
        #expect(object?["status"] as? String == "maintenance")
        #expect(object?["retry_after_seconds"] as? Int == 42)
    }
}

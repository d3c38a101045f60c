import Logging
import Testing
@testable import EventServer

@Suite struct ErrorRendererTests {
    private struct DatabaseDown: Error {}

    private func render(_ error: any Error) -> Response {
        ErrorRenderer(wrapping: HandlerClosure { _ in throw error }, logger: Logger(label: "test"))
            .respond(to: Request(method: .get, path: "/"))
    }

    @Test func httpErrorBecomesItsResponse() {
        let response = render(HTTPError(.forbidden, message: "no access"))
        #expect(response.status == .forbidden)
        #expect(String(decoding: response.body, as: UTF8.self) == "no access\n")
    }

    @Test func otherErrorsBecomeAGeneric500WithoutInternalText() {
        let response = render(DatabaseDown())
        #expect(response.status == .internalServerError)
        #expect(String(decoding: response.body, as: UTF8.self) == "Internal Server Error\n")
    }

    @Test func responseHelpers() throws {
        struct Item: Encodable { let id: Int; let name: String }
        let json = try Response.json(Item(id: 1, name: "a"), status: .created)
        #expect(json.status == .created)
        #expect(String(decoding: json.body, as: UTF8.self) == #"{"id":1,"name":"a"}"#)
        #expect(json.headers["Content-Type"] == "application/json")
        let redirect = Response.redirect(to: "/new", status: .permanentRedirect)
        #expect(redirect.status.code == 308)
        #expect(redirect.headers["Location"] == "/new")
        #expect(Response.status(.noContent).body.isEmpty)
        #expect(Response.bytes([1, 2], contentType: "image/png").headers["Content-Type"] == "image/png")
    }
}

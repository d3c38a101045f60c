#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Response {
    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// A response with raw bytes and the given content type.
    public static func bytes(
        _ bytes: [UInt8], contentType: String = "application/octet-stream", status: HTTPStatus = .ok
    ) -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: bytes)
    }

    /// An `application/json` response from already-encoded JSON text.
    public static func json(_ encodedJSON: String, status: HTTPStatus = .ok) -> Response {
        .bytes(Array(encodedJSON.utf8), contentType: "application/json", status: status)
    }

    /// An `application/json` response encoding `value`; throws when it cannot be encoded
    /// (the server turns that into a generic 500).
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .bytes(Array(try encoder.encode(value)), contentType: "application/json", status: status)
    }

    /// A redirect to `location`: 302 by default, 301, 303, 307 or 308 as given.
    public static func redirect(to location: String, status: HTTPStatus = .found) -> Response {
        Response(status: status, headers: ["Location": location])
    }

    /// A response with a status and no body.
    public static func status(_ status: HTTPStatus) -> Response {
        Response(status: status)
    }
}

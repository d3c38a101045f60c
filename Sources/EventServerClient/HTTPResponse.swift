/// HTTPResponse is an HTTP/1.1 response as the client read it off the socket.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    /// The first header named `name`, compared without ASCII case.
    public subscript(header name: String) -> String? {
        let wanted = Array(name.utf8).map(Self.lowercased)
        return headers.first { Array($0.name.utf8).map(Self.lowercased) == wanted }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}

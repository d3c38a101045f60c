/// HTTPClientError says why the client could not complete an exchange.
public struct HTTPClientError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

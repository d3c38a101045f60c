/// EventStreamWriter sends Server-Sent Events (`text/event-stream`) over a streamed response.
public struct EventStreamWriter: Sendable {
    private let body: BodyWriter

    init(_ body: BodyWriter) {
        self.body = body
    }

    /// Sends one event: an optional `event:` name and `id:`, then `data`, one `data:` line per
    /// line of it, then the blank line that ends the event.
    public func send(event: String? = nil, data: String, id: String? = nil) async throws {
        var text = ""
        if let event { text += "event: \(Self.singleLine(event))\n" }
        if let id { text += "id: \(Self.singleLine(id))\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        text += "\n"
        try await body.write(text)
    }

    /// Sends a comment line, which clients ignore: keeps idle proxies from closing the stream.
    public func comment(_ text: String) async throws {
        try await body.write(": \(Self.singleLine(text))\n\n")
    }

    /// Field values other than data cannot span lines: a line break would start a new field.
    private static func singleLine(_ value: String) -> String {
        String(value.filter { $0 != "\n" && $0 != "\r" })
    }
}

extension Response {
    /// A Server-Sent Events stream: `text/event-stream`, never cached, events written by `produce`.
    public static func eventStream(
        headers: HTTPHeaders = HTTPHeaders(),
        _ produce: @escaping @Sendable (EventStreamWriter) async throws -> Void
    ) -> Response {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "text/event-stream; charset=utf-8")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return Response(status: .ok, headers: headers) { body in
            try await produce(EventStreamWriter(body))
        }
    }
}

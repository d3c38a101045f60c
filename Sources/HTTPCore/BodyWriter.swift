/// BodyWriter sends a streamed response's body as it is produced.
///
/// `write` returns once the bytes are queued on the connection, and waits first while the
/// connection's unsent output is above the server's watermark, so a slow reader slows the
/// producer instead of growing memory. It throws `CancellationError` once the client has gone;
/// the stream's task is cancelled then too.
public struct BodyWriter: Sendable {
    private let sink: @Sendable ([UInt8]) async throws -> Void

    /// A writer handing each piece to `sink` (the transport's, or a test's).
    public init(_ sink: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.sink = sink
    }

    /// Sends `bytes` (an empty piece sends nothing).
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await sink(bytes)
    }

    /// Sends `text` as UTF-8.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }
}

/// BodyStream is a response body produced while it is sent.
public struct BodyStream: Sendable {
    /// Writes the body; when it returns, the response ends.
    public let produce: @Sendable (BodyWriter) async throws -> Void

    /// A stream whose body `write` produces; it runs as a task on the loop.
    public init(_ produce: @escaping @Sendable (BodyWriter) async throws -> Void) {
        self.produce = produce
    }
}

extension Response {
    /// A response whose body `produce` writes while it is sent: chunked for HTTP/1.1, ended by
    /// closing the connection for HTTP/1.0. A reply to HEAD sends the head only.
    public init(
        status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(),
        streaming produce: @escaping @Sendable (BodyWriter) async throws -> Void
    ) {
        self.init(status: status, headers: headers)
        stream = BodyStream(produce)
    }
}

/// HTTPLimits bound what one connection may send and how long it may take.
public struct HTTPLimits: Sendable, Equatable {
    /// Largest request line plus header block; larger requests are refused by evhttp.
    public var maxHeaderBytes: Int
    /// Largest request body; larger bodies get 413 from evhttp.
    public var maxBodyBytes: Int
    /// Seconds a connection may stay idle before evhttp closes it.
    public var idleTimeoutSeconds: Int
    /// Open connections at most; at the cap accepting pauses until one closes.
    public var maxConnections: Int

    public init(maxHeaderBytes: Int, maxBodyBytes: Int, idleTimeoutSeconds: Int, maxConnections: Int) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
    }
}

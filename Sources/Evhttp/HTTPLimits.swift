import EventServerSupport

/// HTTPLimits bound what one connection may send and how long it may take.
public struct HTTPLimits: Sendable, Equatable {
    /// Largest request line plus header block; larger requests are refused by evhttp.
    public var maxHeaderBytes: Int
    /// Largest request body; larger bodies get 413 from evhttp.
    public var maxBodyBytes: Int
    /// Seconds a connection may go without traffic either way (no byte arrives, none of a
    /// pending reply is taken) before the transport closes it.
    public var idleTimeoutSeconds: Int
    /// Seconds from accept, or from the end of the previous reply, until a request's header
    /// block has ended.
    public var headerTimeoutSeconds: Int
    /// Seconds from the same start until the whole request, body included, has arrived.
    public var requestTimeoutSeconds: Int
    /// Open connections at most; at the cap accepting pauses until one closes.
    public var maxConnections: Int
    /// Peers that must begin each connection with a PROXY header, whose source address then
    /// stands for the client's; any other peer must not send one. Empty: no PROXY protocol.
    public var proxyProtocolFrom: [AddressRange]

    public init(
        maxHeaderBytes: Int, maxBodyBytes: Int, idleTimeoutSeconds: Int, headerTimeoutSeconds: Int,
        requestTimeoutSeconds: Int, maxConnections: Int, proxyProtocolFrom: [AddressRange] = []
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxConnections = maxConnections
        self.proxyProtocolFrom = proxyProtocolFrom
    }
}

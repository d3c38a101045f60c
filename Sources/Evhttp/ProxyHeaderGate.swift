import HTTPCore

/// ProxyHeaderGate settles how a connection begins when `--proxy-protocol-from` is set: a peer
/// in those ranges must begin with a PROXY header, and any other peer must not send one (an
/// optional header would let any client forge its address).
///
/// It holds the connection's first bytes out of evhttp's sight until that is settled (a header
/// can arrive split across reads, and evhttp would read a v2 header's leading CRLFs as an empty
/// request line), then hands back what follows the header as the connection's first bytes.
struct ProxyHeaderGate {
    enum Outcome {
        /// More bytes are needed.
        case waiting
        /// Settled: the header, if there was one, and the bytes after it.
        case passed(ProxyHeader?, rest: [UInt8])
        /// The connection is refused for this.
        case refused(RequestViolation)
    }

    /// Whether the peer may (must) send a header; decided at the first bytes.
    let peerIsTrusted: Bool
    private var held: [UInt8] = []

    init(peerIsTrusted: Bool) {
        self.peerIsTrusted = peerIsTrusted
    }

    mutating func take(_ bytes: [UInt8]) -> Outcome {
        held += bytes
        switch ProxyHeader.parse(held) {
        case .incomplete:
            return .waiting
        case .notProxy:
            return peerIsTrusted ? .refused(.proxyHeaderMissing) : .passed(nil, rest: held)
        case let .header(header, length):
            return peerIsTrusted ? .passed(header, rest: Array(held[length...])) : .refused(.proxyHeaderUntrusted)
        case .invalid:
            return peerIsTrusted ? .refused(.proxyHeaderInvalid) : .refused(.proxyHeaderUntrusted)
        }
    }
}

import CTLS

/// TLSContext is one certificate chain and key, loaded into an OpenSSL server context: TLS 1.2
/// and 1.3 only, OpenSSL's default ciphers, ALPN `http/1.1`.
///
/// Each connection's SSL object holds its own reference to the context, so replacing the
/// transport's context (a reload) leaves open connections as they are.
public final class TLSContext {
    let context: UnsafeMutableRawPointer
    public let certificatePath: String
    public let keyPath: String

    /// Loads and checks the pair (and OpenSSL itself, the first time); throws with the reason
    /// when OpenSSL is missing, a file is unusable or the key does not match the certificate.
    public init(certificatePath: String, keyPath: String) throws(TransportError) {
        var message = [CChar](repeating: 0, count: 512)
        guard let context = ctls_server_context_new(certificatePath, keyPath, &message, UInt(message.count)) else {
            throw .tls(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.context = context
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Offers HTTP/2 (ALPN h2, ahead of http/1.1) to new connections.
    func offerHTTP2() {
        ctls_server_context_offer_h2(context)
    }

    deinit {
        ctls_server_context_free(context)
    }
}

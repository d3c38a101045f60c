import CTLS
import EventServerSupport

/// TLSContext is one certificate chain and key, loaded into an OpenSSL server context with a
/// `TLSProfile`'s versions, suites and groups, ALPN `http/1.1` (and `h2` when offered).
///
/// Each connection's SSL object holds its own reference to the context, so replacing the
/// transport's context (a reload) leaves open connections as they are.
public final class TLSContext {
    let context: UnsafeMutableRawPointer
    public let certificatePath: String
    public let keyPath: String
    public let profile: TLSProfile
    public private(set) var sessionTicketKey: [UInt8]?

    /// The length of a session ticket key: a name, an HMAC key and an AES key.
    public static let sessionTicketKeyLength = Int(CTLS_TICKET_KEY_LENGTH)

    /// Loads and checks the pair (and OpenSSL itself, the first time); throws with the reason
    /// when OpenSSL is missing, a file is unusable or the key does not match the certificate.
    /// With `sessionTicketKey`, session tickets are sealed with it, so contexts that share it
    /// resume each other's sessions; without, with a key of this context's own.
    public init(
        certificatePath: String, keyPath: String, profile: TLSProfile, sessionTicketKey: [UInt8]? = nil
    ) throws(TransportError) {
        var message = [CChar](repeating: 0, count: 512)
        let code = Int32(profile == .modern ? CTLS_PROFILE_MODERN : CTLS_PROFILE_INTERMEDIATE)
        guard let context = ctls_server_context_new(certificatePath, keyPath, code, &message, UInt(message.count)) else {
            throw .tls(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.context = context
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.profile = profile
        self.sessionTicketKey = sessionTicketKey
        if let sessionTicketKey, ctls_server_context_set_ticket_key(context, sessionTicketKey, UInt(sessionTicketKey.count)) != 1 {
            ctls_server_context_free(context)
            throw .tls("OpenSSL refused the session ticket key (\(sessionTicketKey.count) bytes)")
        }
    }

    /// Seals and opens session tickets with `key` from now on (a replaced process's, so its
    /// clients resume here); a key OpenSSL refuses leaves the current one.
    public func useSessionTicketKey(_ key: [UInt8]) {
        guard ctls_server_context_set_ticket_key(context, key, UInt(key.count)) == 1 else { return }
        sessionTicketKey = key
    }

    /// Offers HTTP/2 (ALPN h2, ahead of http/1.1) to new connections.
    func offerHTTP2() {
        ctls_server_context_offer_h2(context)
    }

    deinit {
        ctls_server_context_free(context)
    }
}

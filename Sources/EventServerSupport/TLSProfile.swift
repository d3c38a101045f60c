/// Which TLS versions, suites and groups HTTPS offers: Mozilla's server-side recommendations.
/// Both offer the groups X25519, P-256 and P-384 only.
public enum TLSProfile: String, Sendable, CaseIterable {
    /// TLS 1.2 with forward-secret AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305),
    /// and TLS 1.3: every client of the last decade.
    case intermediate
    /// TLS 1.3 only, for services whose clients all speak it.
    case modern
}

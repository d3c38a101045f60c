/// MaintenanceNotice is what an operator tells visitors about one maintenance window: a message
/// and the planned end (`eventserver ctl maintenance on --message … --until …`).
///
/// Both parts are optional; leaving maintenance clears the notice, so a later plain SIGUSR1
/// shows the default page again.
public struct MaintenanceNotice: Sendable, Equatable, Codable {
    /// The operator's text, shown HTML-escaped on the page and as a JSON string.
    public var message: String?
    /// The planned end, in Unix seconds.
    public var until: Int?
    /// The SHA-256 (hexadecimal) of the window's bypass token (`MaintenanceBypass`); the token
    /// itself is never kept.
    public var bypassDigest: String?

    /// The longest message accepted, in UTF-8 bytes: a notice, not a page.
    public static let maxMessageBytes = 1000

    /// A notice with a message, a planned end (Unix seconds), or both.
    public init(message: String? = nil, until: Int? = nil, bypassDigest: String? = nil) {
        self.message = message
        self.until = until
        self.bypassDigest = bypassDigest
    }

    /// `Retry-After` at `now`: the seconds left until the planned end (at least 1), or
    /// `otherwise` when there is no end or it has passed.
    public func retryAfterSeconds(now: Int, otherwise: Int) -> Int {
        guard let until, until > now else { return otherwise }
        return max(1, until - now)
    }
}

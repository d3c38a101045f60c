import EventServerSupport
import HTTPCore

/// MaintenanceBypass lets an operator through the closed gate from anywhere, a balancer in
/// between included (`eventserver ctl maintenance on --bypass-token`): a request carrying the
/// window's token is served as if the server were not in maintenance.
///
/// The server never holds the token, only its SHA-256 (in the notice, the state file and a
/// replaced server's handover); a request's token is hashed and compared in constant time.
/// Leaving maintenance clears the notice, and the token with it.
public enum MaintenanceBypass {
    /// The cookie that carries the token: `Cookie: eventserver_bypass=TOKEN`.
    public static let cookieName = "eventserver_bypass"
    /// The header that carries the token, for clients without cookies: `X-Maintenance-Bypass: TOKEN`.
    public static let headerName = "X-Maintenance-Bypass"

    /// A new token: 128 random bits as 32 hexadecimal digits, from the system's secure source
    /// (`SystemRandomNumberGenerator`: getrandom on Linux).
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return [generator.next(), generator.next()].map { (word: UInt64) in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// The digest kept in place of `token` (lowercase hexadecimal SHA-256).
    public static func digest(of token: String) -> String {
        SHA256.hexDigest(Array(token.utf8))
    }

    /// Whether `request` carries the token whose digest is `digest`.
    public static func admits(_ request: Request, digest: String) -> Bool {
        guard let token = token(in: request) else { return false }
        return SHA256.constantTimeEquals(Array(Self.digest(of: token).utf8), Array(digest.utf8))
    }

    /// The token from the header, or else from the cookie.
    static func token(in request: Request) -> String? {
        if let header = request.headers[headerName] { return header }
        for cookies in request.headers.values(named: "Cookie") {
            for pair in cookies.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == cookieName else { continue }
                return String(trimmed[trimmed.index(after: equals)...])
            }
        }
        return nil
    }
}

/// HTTPMethod is a request method that evhttp can parse.
///
/// evhttp refuses any other method with 501 before a callback runs, so this set is closed.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `GET`.
    case get = "GET"
    /// `HEAD`.
    case head = "HEAD"
    /// `POST`.
    case post = "POST"
    /// `PUT`.
    case put = "PUT"
    /// `DELETE`.
    case delete = "DELETE"
    /// `OPTIONS`.
    case options = "OPTIONS"
    /// `PATCH`.
    case patch = "PATCH"
    /// `TRACE`.
    case trace = "TRACE"
    /// `CONNECT`.
    case connect = "CONNECT"

    public var description: String { rawValue }

    /// The method's position in `allCases`, for tables indexed by method.
    @inlinable
    public var ordinal: Int {
        switch self {
        case .get: 0
        case .head: 1
        case .post: 2
        case .put: 3
        case .delete: 4
        case .options: 5
        case .patch: 6
        case .trace: 7
        case .connect: 8
        }
    }
}

import HTTPCore

/// RouteError is a mistake in route registration, reported at start-up with both culprits named.
public enum RouteError: Error, Equatable, CustomStringConvertible {
    /// The same method and pattern were registered twice.
    case duplicate(method: HTTPMethod, pattern: String, firstModule: String, secondModule: String)
    /// Two patterns put differently named variables at the same place, so neither could be
    /// chosen over the other.
    case conflict(existing: String, new: String)
    /// A pattern that cannot be parsed.
    case invalidPattern(String, reason: String)

    public var description: String {
        switch self {
        case let .duplicate(method, pattern, first, second):
            "route \(method) \(pattern) from \(second) conflicts with the same route from \(first)"
        case let .conflict(existing, new):
            "route \(new) conflicts with \(existing): differently named variables at the same position"
        case let .invalidPattern(pattern, reason):
            "route pattern \"\(pattern)\" is invalid: \(reason)"
        }
    }
}

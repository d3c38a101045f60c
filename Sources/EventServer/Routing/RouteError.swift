/// RouteError is a mistake in route registration, reported at start-up.
public enum RouteError: Error, Equatable, CustomStringConvertible {
    /// The same method and path were registered twice.
    case duplicate(method: HTTPMethod, path: String)
    /// A path that does not start with `/`.
    case invalidPath(String)

    public var description: String {
        switch self {
        case let .duplicate(method, path): "route \(method) \(path) is registered twice"
        case let .invalidPath(path): "route path \"\(path)\" must start with /"
        }
    }
}

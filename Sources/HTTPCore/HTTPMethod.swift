/// HTTPMethod is a request method that evhttp can parse.
///
/// evhttp refuses any other method with 501 before a callback runs, so this set is closed.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case options = "OPTIONS"
    case patch = "PATCH"
    case trace = "TRACE"
    case connect = "CONNECT"

    public var description: String { rawValue }
}

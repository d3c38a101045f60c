import HTTPCore

/// RoutePattern is a parsed route path: static segments, `:name` parameters and a trailing
/// `*name` catch-all.
///
/// `/users/:id/posts` has three segments; `/files/*path` matches `/files/a/b.txt` with
/// `path = "a/b.txt"`. A trailing slash is significant: `/a/` and `/a` are different routes.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    /// One segment of a pattern.
    public enum Segment: Sendable, Equatable {
        /// Text that must match exactly (`users`).
        case literal(String)
        /// `:name`: any one segment, bound under `name`.
        case parameter(String)
        /// `*name`: the rest of the path, bound under `name`; last only.
        case catchAll(String)
    }

    /// The pattern's segments, in order.
    public let segments: [Segment]
    public let description: String

    /// Parses `text`; throws `RouteError.invalidPattern` for a malformed pattern.
    public init(_ text: String) throws {
        guard text.hasPrefix("/") else { throw RouteError.invalidPattern(text, reason: "must start with /") }
        var segments: [Segment] = []
        let parts = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            switch part.first {
            case ":":
                let name = String(part.dropFirst())
                guard Self.isName(name) else { throw RouteError.invalidPattern(text, reason: "bad parameter name \"\(part)\"") }
                segments.append(.parameter(name))
            case "*":
                let name = String(part.dropFirst())
                guard Self.isName(name) else { throw RouteError.invalidPattern(text, reason: "bad catch-all name \"\(part)\"") }
                guard index == parts.count - 1 else {
                    throw RouteError.invalidPattern(text, reason: "a catch-all must be the last segment")
                }
                segments.append(.catchAll(name))
            default:
                segments.append(.literal(String(part)))
            }
        }
        let names = segments.compactMap(\.variableName)
        guard Set(names).count == names.count else {
            throw RouteError.invalidPattern(text, reason: "a parameter name is used twice")
        }
        self.segments = segments
        description = text
    }

    /// `/`, the root pattern.
    public static let root = RoutePattern(segments: [.literal("")], description: "/")

    private init(segments: [Segment], description: String) {
        self.segments = segments
        self.description = description
    }

    /// The pattern under `prefix` (a group's path), e.g. `/api` + `/users` = `/api/users`.
    func prefixed(by prefix: RoutePattern) throws -> RoutePattern {
        if prefix.description == "/" { return self }
        if description == "/" { return prefix }
        return try RoutePattern(prefix.description + description)
    }

    private static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
            || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}

extension RoutePattern.Segment {
    var variableName: String? {
        switch self {
        case .literal: nil
        case let .parameter(name), let .catchAll(name): name
        }
    }
}

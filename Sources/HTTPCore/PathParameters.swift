/// PathParameters are the decoded values a route pattern's `:name` and `*name` segments matched.
public struct PathParameters: Sendable, Equatable {
    @usableFromInline var pairs: [(name: String, value: String)]

    /// No parameters. Inlinable so a `Request` is built in place, without a copy.
    @inlinable
    public init() { pairs = [] }

    /// The value bound to `name`, or nil.
    public subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// Whether no parameter matched.
    public var isEmpty: Bool { pairs.isEmpty }

    package mutating func append(_ name: String, _ value: String) {
        pairs.append((name, value))
    }

    package mutating func removeLast() {
        pairs.removeLast()
    }

    public static func == (lhs: PathParameters, rhs: PathParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}

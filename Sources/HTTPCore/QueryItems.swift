/// QueryItems are the decoded `name=value` pairs of a query string (`+` means space).
public struct QueryItems: Sendable, Equatable {
    /// The pairs in order; a name without `=` has an empty value.
    public let items: [(name: String, value: String)]

    /// Parses `rawQuery`; malformed escapes are kept as written.
    public init(_ rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else {
            items = []
            return
        }
        items = rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusIsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusIsSpace: true) ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    /// The first value for `name`, or nil.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// Every value for `name`, in order.
    public func values(named name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public static func == (lhs: QueryItems, rhs: QueryItems) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0.name == $1.name && $0.value == $1.value }
    }
}

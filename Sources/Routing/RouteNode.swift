import HTTPCore

/// RouteNode is one level of the route trie: children by exact segment, one parameter child,
/// one catch-all, and the routes that end here.
///
/// Lookup walks one node per path segment with a dictionary probe at each, so its cost depends
/// on the path's depth, not on how many routes exist. Precedence: literal, then parameter,
/// then catch-all, backtracking when a more specific branch leads nowhere.
final class RouteNode {
    @exclusivity(unchecked) private var literals: [String: RouteNode] = [:]
    @exclusivity(unchecked) private var parameter: (name: String, node: RouteNode)?
    @exclusivity(unchecked) private var catchAll: (name: String, endpoint: RouteEndpoint)?
    @exclusivity(unchecked) private var endpoint: RouteEndpoint?

    /// The endpoint for `pattern`, created on first use; throws when its variables clash.
    func endpoint(for pattern: RoutePattern) throws -> RouteEndpoint {
        var node = self
        var patternSoFar: [RoutePattern.Segment] = []
        for segment in pattern.segments {
            patternSoFar.append(segment)
            switch segment {
            case let .literal(text):
                node = node.literals[text] ?? { let child = RouteNode(); node.literals[text] = child; return child }()
            case let .parameter(name):
                if let existing = node.parameter {
                    guard existing.name == name else {
                        throw RouteError.conflict(existing: existing.node.anyPattern ?? "…:\(existing.name)", new: pattern.description)
                    }
                    node = existing.node
                } else {
                    let child = RouteNode()
                    node.parameter = (name, child)
                    node = child
                }
            case let .catchAll(name):
                if let existing = node.catchAll {
                    guard existing.name == name else {
                        throw RouteError.conflict(existing: existing.endpoint.pattern, new: pattern.description)
                    }
                    return existing.endpoint
                }
                let endpoint = RouteEndpoint(pattern: pattern.description)
                node.catchAll = (name, endpoint)
                return endpoint
            }
        }
        if let endpoint = node.endpoint { return endpoint }
        let endpoint = RouteEndpoint(pattern: pattern.description)
        node.endpoint = endpoint
        return endpoint
    }

    /// The most specific endpoint matching `segments[index...]`, binding variables into
    /// `parameters`.
    func match(_ segments: [String], from index: Int, into parameters: inout PathParameters) -> RouteEndpoint? {
        guard index < segments.count else {
            if let endpoint { return endpoint }
            if let catchAll {
                parameters.append(catchAll.name, "")
                return catchAll.endpoint
            }
            return nil
        }
        let segment = segments[index]
        if let child = literals[segment], let found = child.match(segments, from: index + 1, into: &parameters) {
            return found
        }
        if let parameter, !segment.isEmpty {
            parameters.append(parameter.name, segment)
            if let found = parameter.node.match(segments, from: index + 1, into: &parameters) { return found }
            parameters.removeLast()
        }
        if let catchAll {
            parameters.append(catchAll.name, segments[index...].joined(separator: "/"))
            return catchAll.endpoint
        }
        return nil
    }

    /// Some pattern registered at or below this node, to name it in a conflict.
    private var anyPattern: String? {
        endpoint?.pattern ?? catchAll?.endpoint.pattern
            ?? literals.values.lazy.compactMap(\.anyPattern).first ?? parameter?.node.anyPattern
    }
}

/// RouteEndpoint holds the routes of one pattern, by method.
final class RouteEndpoint {
    /// What a request needs from its route: a class, so handing it on is one retain rather
    /// than a copy of the handler's existential box.
    final class Dispatch {
        let handler: any Handler
        let isExempt: Bool

        init(handler: any Handler, isExempt: Bool) {
            self.handler = handler
            self.isExempt = isExempt
        }
    }

    let pattern: String
    @exclusivity(unchecked) private(set) var byMethod: [HTTPMethod: RouteTable.Route] = [:]
    @exclusivity(unchecked) private(set) var allowHeader = ""
    /// Whether a route here keeps answering in maintenance, for some method.
    @exclusivity(unchecked) private(set) var hasExemptRoute = false
    /// The dispatch for each method by its position in `HTTPMethod.allCases`, HEAD falling back
    /// to GET: one array index per request instead of hashing the method's name.
    @exclusivity(unchecked) private var dispatchByMethod = [Dispatch?](repeating: nil, count: HTTPMethod.allCases.count)

    init(pattern: String) {
        self.pattern = pattern
    }

    func add(_ route: RouteTable.Route) throws {
        if let existing = byMethod[route.method] {
            throw RouteError.duplicate(
                method: route.method, pattern: pattern, firstModule: existing.module, secondModule: route.module)
        }
        byMethod[route.method] = route
        if route.isExempt { hasExemptRoute = true }
        var allowed = Set(byMethod.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        allowed.insert(.options)
        allowHeader = HTTPMethod.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
        for (index, method) in HTTPMethod.allCases.enumerated() {
            let chosen = byMethod[method] ?? (method == .head ? byMethod[.get] : nil)
            dispatchByMethod[index] = chosen.map { Dispatch(handler: $0.handler, isExempt: $0.isExempt) }
        }
    }

    /// The route for `method`; HEAD falls back to GET.
    func dispatch(for method: HTTPMethod) -> Dispatch? {
        dispatchByMethod[method.ordinal]
    }
}

/// LiteralRouteIndex finds the endpoint of a pattern made only of literals by the path's exact
/// text, with an unseeded FNV-1a hash over its bytes and open addressing.
///
/// A `Dictionary<String, _>` costs a seeded SipHash of the path on every request, even for `/`;
/// this costs a few instructions a byte (`Benchmarks/results/2026-11-30-fewer-lookups/`). The
/// keys are the app's own patterns, fixed before the server runs, so a predictable hash offers a
/// client nothing to collide with: a path that is not a key ends at the first empty slot after a
/// byte comparison or two.
struct LiteralRouteIndex {
    private struct Slot {
        let path: String
        let hash: UInt64
        let endpoint: RouteEndpoint
    }

    /// Power-of-two sized, at most half full, so a probe meets an empty slot soon.
    private var slots: [Slot?] = Array(repeating: nil, count: 8)
    private var count = 0

    subscript(path: String) -> RouteEndpoint? {
        withSlot(for: path) { $0?.endpoint }
    }

    /// Whether the literal route at `path` has an exempt method; nil when no literal route is
    /// there. Reads the flag in place, where the subscript hands out a retained endpoint.
    func hasExemptRoute(atPath path: String) -> Bool? {
        withSlot(for: path) { $0?.endpoint.hasExemptRoute }
    }

    private func withSlot<Result>(for path: String, _ body: (borrowing Slot?) -> Result) -> Result {
        let hash = Self.hash(of: path)
        // Probing through the buffer reads each slot in place: `slots[index]` copied the slot
        // out, retaining and releasing its path and endpoint at every probe.
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while let slot = slots[index] {
                if slot.hash == hash && slot.path == path { return body(slot) }
                index = (index + 1) & mask
            }
            return body(nil)
        }
    }

    /// Adds or replaces the endpoint for `path`.
    mutating func insert(_ endpoint: RouteEndpoint, for path: String) {
        if (count + 1) * 2 > slots.count { grow() }
        let hash = Self.hash(of: path)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash && slot.path == path {
                slots[index] = Slot(path: path, hash: hash, endpoint: endpoint)
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(path: path, hash: hash, endpoint: endpoint)
        count += 1
    }

    private mutating func grow() {
        let old = slots.compactMap { $0 }
        slots = Array(repeating: nil, count: slots.count * 2)
        count = 0
        for slot in old { insert(slot.endpoint, for: slot.path) }
    }

    /// The path's bytes are read in place; `withUTF8` needs a mutable copy of the string, a
    /// retain and a release per lookup.
    private static func hash(of path: String) -> UInt64 {
        if let hash = path.utf8.withContiguousStorageIfAvailable(fnv1a) { return hash }
        var copy = path
        return copy.withUTF8(fnv1a)
    }

    private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

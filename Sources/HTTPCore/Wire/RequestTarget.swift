/// RequestTarget splits an origin-form request target (`/path?query#fragment`) into the path
/// and the raw query a `Request` carries, from the raw bytes: a fragment, which no client
/// should send, is dropped.
package enum RequestTarget {
    package static func split(_ target: UnsafeRawBufferPointer) -> (path: String, query: String?) {
        let bytes = target.bindMemory(to: UInt8.self)
        let fragmentStart = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        let withoutFragment = bytes[..<fragmentStart]
        guard let queryStart = withoutFragment.firstIndex(of: UInt8(ascii: "?")) else {
            return (String(decoding: withoutFragment, as: UTF8.self), nil)
        }
        return (
            String(decoding: withoutFragment[..<queryStart], as: UTF8.self),
            String(decoding: withoutFragment[(queryStart + 1)...], as: UTF8.self)
        )
    }
}

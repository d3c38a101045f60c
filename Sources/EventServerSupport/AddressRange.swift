#if canImport(Glibc)
import Glibc
#endif

/// AddressRange is an IPv4 or IPv6 CIDR block, such as `10.0.0.0/8` or `::1/128`.
///
/// IPv4 addresses are kept as IPv4-mapped IPv6 so a peer seen as `::ffff:10.1.2.3` on a
/// dual-stack socket matches `10.0.0.0/8`.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    private let network: [UInt8]  // 16 bytes
    private let prefixLength: Int
    public let description: String

    /// Parses `cidr`; a bare address means that single address. Throws `ConfigurationError`.
    public init(_ cidr: String) throws {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = Self.bytes(of: String(first)) else {
            throw ConfigurationError("\(cidr) is not an IP address or CIDR block")
        }
        let isV4 = !first.contains(":")
        let maximum = isV4 ? 32 : 128
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else {
            throw ConfigurationError("\(cidr) has an invalid prefix length")
        }
        prefixLength = isV4 ? length + 96 : length
        network = Self.masked(address, prefixLength)
        description = cidr
    }

    /// Whether the textual address `address` lies in this range.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return Self.masked(bytes, prefixLength) == network
    }

    /// The 16-byte form of an IPv4 or IPv6 literal.
    private static func bytes(of text: String) -> [UInt8]? {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + withUnsafeBytes(of: &address) { Array($0) }
    }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(max(length - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(0xFF >> UInt8(bits))
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// ProxyHeader is what a PROXY protocol header says about a connection a balancer forwards
/// (HAProxy's `proxy-protocol.txt`: version 1, one text line; version 2, binary): the client's
/// address, or none for a balancer's own connection (v2 `LOCAL`, v1 `UNKNOWN`, or an address
/// family other than IP), which keeps the socket's address.
public struct ProxyHeader: Equatable, Sendable {
    /// The client's address as text (`192.0.2.7`, `2001:db8::1`); nil: keep the socket's.
    public var sourceAddress: String?

    /// A header naming `sourceAddress` (nil: the socket's address stands).
    public init(sourceAddress: String?) {
        self.sourceAddress = sourceAddress
    }

    /// What the first bytes of a connection hold.
    public enum Parse: Equatable, Sendable {
        /// A proper prefix of a header: more bytes are needed.
        case incomplete
        /// The bytes do not begin with either version's signature.
        case notProxy
        /// A whole header of `length` bytes; what follows is the connection's own data.
        case header(ProxyHeader, length: Int)
        /// A header that breaks the protocol (why, for logs and tests).
        case invalid(String)
    }

    /// The longest v1 line, CRLF included (`PROXY TCP6` with two full IPv6 addresses).
    public static let maxV1Length = 107
    /// The largest v2 header accepted: the 16-byte preamble and 1 KiB of addresses and TLVs
    /// (HAProxy sends a few dozen bytes of TLVs at most; a larger one is refused).
    public static let maxV2Length = 16 + 1024

    static let v1Signature = Array("PROXY ".utf8)
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// Reads the header at the start of `bytes`, the first bytes a connection sent.
    public static func parse(_ bytes: [UInt8]) -> Parse {
        if bytes.starts(with: v2Signature) { return parseV2(bytes) }
        if bytes.starts(with: v1Signature) { return parseV1(bytes) }
        let isPrefix = v2Signature.starts(with: bytes) || v1Signature.starts(with: bytes)
        return isPrefix && !bytes.isEmpty ? .incomplete : .notProxy
    }

    // MARK: Version 1: `PROXY TCP4|TCP6 src dst sport dport\r\n` or `PROXY UNKNOWN…\r\n`

    private static func parseV1(_ bytes: [UInt8]) -> Parse {
        let window = bytes.prefix(maxV1Length)
        guard let end = window.indices.first(where: { window[$0] == 0x0D }) else {
            return bytes.count >= maxV1Length ? .invalid("v1 line longer than \(maxV1Length) bytes") : .incomplete
        }
        guard end + 2 <= maxV1Length else { return .invalid("v1 line longer than \(maxV1Length) bytes") }
        guard end + 1 < bytes.count else { return .incomplete }
        guard bytes[end + 1] == 0x0A else { return .invalid("v1 line not ended by CRLF") }
        let fields = bytes[..<end].split(separator: 0x20, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let length = end + 2
        guard fields.count >= 2 else { return .invalid("v1 line without a protocol") }
        switch fields[1] {
        case "UNKNOWN":
            return .header(ProxyHeader(sourceAddress: nil), length: length)
        case "TCP4", "TCP6":
            guard fields.count == 6 else { return .invalid("v1 \(fields[1]) line with \(fields.count) fields") }
            let family = fields[1] == "TCP4" ? AF_INET : AF_INET6
            guard let source = canonical(fields[2], family: family), canonical(fields[3], family: family) != nil,
                isPort(fields[4]), isPort(fields[5])
            else { return .invalid("v1 addresses or ports malformed") }
            return .header(ProxyHeader(sourceAddress: source), length: length)
        default:
            return .invalid("v1 protocol \(fields[1].prefix(16)) unknown")
        }
    }

    /// The address in `text` written the usual way, if it is one of `family`'s.
    private static func canonical(_ text: String, family: Int32) -> String? {
        var address = in6_addr()
        guard inet_pton(family, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { format(Array($0.prefix(family == AF_INET ? 4 : 16))) }
    }

    /// A decimal port, 0 to 65535, without a sign or leading zeros.
    private static func isPort(_ text: String) -> Bool {
        guard let port = Int(text), (0...65535).contains(port) else { return false }
        return String(port) == text
    }

    // MARK: Version 2: signature, version and command, family, length, addresses, TLVs

    private static func parseV2(_ bytes: [UInt8]) -> Parse {
        guard bytes.count >= 16 else { return .incomplete }
        let versionAndCommand = bytes[12], family = bytes[13]
        let bodyLength = Int(bytes[14]) << 8 | Int(bytes[15])
        let length = 16 + bodyLength
        guard versionAndCommand >> 4 == 2 else { return .invalid("v2 version \(versionAndCommand >> 4)") }
        guard length <= maxV2Length else { return .invalid("v2 header of \(length) bytes, more than \(maxV2Length)") }
        guard bytes.count >= length else { return .incomplete }
        let body = Array(bytes[16..<length])
        let addressLength: Int
        switch family >> 4 {
        case 0: addressLength = 0  // AF_UNSPEC
        case 1: addressLength = 12  // IPv4: two addresses, two ports
        case 2: addressLength = 36  // IPv6
        case 3: addressLength = 216  // AF_UNIX: two paths
        default: return .invalid("v2 address family \(family >> 4)")
        }
        guard family & 0x0F <= 2 else { return .invalid("v2 transport \(family & 0x0F)") }
        guard body.count >= addressLength else { return .invalid("v2 addresses longer than the header") }
        guard tlvsFit(body[addressLength...]) else { return .invalid("v2 TLV overruns the header") }
        switch versionAndCommand & 0x0F {
        case 0:  // LOCAL: the balancer's own connection (health checks)
            return .header(ProxyHeader(sourceAddress: nil), length: length)
        case 1:
            let source: String? = switch family >> 4 {
            case 1: format(Array(body[0..<4]))
            case 2: format(Array(body[0..<16]))
            default: nil
            }
            return .header(ProxyHeader(sourceAddress: source), length: length)
        default:
            return .invalid("v2 command \(versionAndCommand & 0x0F)")
        }
    }

    /// Whether `tlvs` is a sequence of whole type-length-value entries (skipped, not read).
    private static func tlvsFit(_ tlvs: ArraySlice<UInt8>) -> Bool {
        var index = tlvs.startIndex
        while index < tlvs.endIndex {
            guard tlvs.endIndex - index >= 3 else { return false }
            let valueLength = Int(tlvs[index + 1]) << 8 | Int(tlvs[index + 2])
            index += 3 + valueLength
        }
        return index == tlvs.endIndex
    }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address as text.
    private static func format(_ address: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        address.withUnsafeBytes { raw in
            _ = inet_ntop(address.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import HTTPCore
import Testing

/// The PROXY protocol header on raw bytes (HTTPCore/Wire/ProxyHeader.swift), after HAProxy's
/// proxy-protocol.txt: both versions, split anywhere, and what must be refused.
@Suite struct ProxyHeaderTests {
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// A v2 header: command (0 LOCAL, 1 PROXY), family byte, addresses and TLVs as given.
    static func v2(command: UInt8 = 1, family: UInt8, body: [UInt8]) -> [UInt8] {
        v2Signature + [0x20 | command, family, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)

    @Test func versionOneGivesTheSourceAddressAndItsLength() {
        let line = Array("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n".utf8)
        #expect(ProxyHeader.parse(line + Self.request) == .header(ProxyHeader(sourceAddress: "192.0.2.7"), length: line.count))
        let six = Array("PROXY TCP6 2001:0db8:0:0:0:0:0:1 ::1 1 65535\r\n".utf8)
        #expect(ProxyHeader.parse(six) == .header(ProxyHeader(sourceAddress: "2001:db8::1"), length: six.count))
        let unknown = Array("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n".utf8)
        #expect(ProxyHeader.parse(unknown) == .header(ProxyHeader(sourceAddress: nil), length: unknown.count))
    }

    @Test func everyProperPrefixIsIncomplete() {
        let tcp4 = Array("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n".utf8)
        let local = Self.v2(command: 0, family: 0x00, body: [])
        let tcp6 = Self.v2(family: 0x21, body: [UInt8](repeating: 0x20, count: 16) + [UInt8](repeating: 1, count: 16) + [0, 80, 1, 187])
        for header in [tcp4, local, tcp6] {
            for end in 1..<header.count {
                #expect(ProxyHeader.parse(Array(header[..<end])) == .incomplete, "\(end) of \(header.count)")
            }
            guard case .header(_, let length) = ProxyHeader.parse(header) else {
                Issue.record("whole header not parsed")
                continue
            }
            #expect(length == header.count)
        }
    }

    @Test func versionTwoAddressesLocalAndTLVs() {
        let ipv4 = Self.v2(family: 0x11, body: [10, 1, 2, 3, 127, 0, 0, 1, 0xDC, 0x04, 0x01, 0xBB])
        #expect(ProxyHeader.parse(ipv4 + Self.request) == .header(ProxyHeader(sourceAddress: "10.1.2.3"), length: ipv4.count))
        // Unknown TLVs after the addresses are skipped within the header's length.
        let tlvs: [UInt8] = [0xE0, 0x00, 0x03, 1, 2, 3, 0x04, 0x00, 0x00]
        let withTLVs = Self.v2(family: 0x11, body: [192, 0, 2, 9, 127, 0, 0, 1, 0, 1, 0, 2] + tlvs)
        #expect(ProxyHeader.parse(withTLVs) == .header(ProxyHeader(sourceAddress: "192.0.2.9"), length: withTLVs.count))
        // LOCAL (a balancer's health check) keeps the socket's address, whatever follows.
        let local = Self.v2(command: 0, family: 0x11, body: [10, 9, 9, 9, 127, 0, 0, 1, 0, 1, 0, 2])
        #expect(ProxyHeader.parse(local) == .header(ProxyHeader(sourceAddress: nil), length: local.count))
        let ipv6 = Self.v2(family: 0x21, body: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5] + [UInt8](repeating: 0, count: 16) + [0, 1, 0, 2])
        #expect(ProxyHeader.parse(ipv6) == .header(ProxyHeader(sourceAddress: "2001:db8::5"), length: ipv6.count))
        let unix = Self.v2(family: 0x31, body: [UInt8](repeating: 0x41, count: 216))
        #expect(ProxyHeader.parse(unix) == .header(ProxyHeader(sourceAddress: nil), length: unix.count))
    }

    @Test func notAHeaderIsSaidAtTheFirstByteThatDiffers() {
        #expect(ProxyHeader.parse(Self.request) == .notProxy)
        #expect(ProxyHeader.parse(Array("PROXX".utf8)) == .notProxy)
        #expect(ProxyHeader.parse(Array("\r\nGET".utf8)) == .notProxy)
        #expect(ProxyHeader.parse(Array("PRO".utf8)) == .incomplete)
        #expect(ProxyHeader.parse([0x0D, 0x0A]) == .incomplete)
    }

    @Test(arguments: [
        "PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",  // a field missing
        "PROXY TCP4 192.0.2.7  198.51.100.1 56324 443\r\n",  // two spaces
        "PROXY TCP4 ::1 ::1 1 2\r\n",  // IPv6 in TCP4
        "PROXY TCP6 192.0.2.7 198.51.100.1 1 2\r\n",  // IPv4 in TCP6
        "PROXY TCP4 192.0.2.7 198.51.100.1 65536 443\r\n",  // port out of range
        "PROXY TCP4 192.0.2.7 198.51.100.1 080 443\r\n",  // leading zero
        "PROXY TCP4 192.0.2.7 198.51.100.1 +80 443\r\n",  // sign
        "PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",  // not a v1 protocol
        "PROXY TCP4 192.0.2.7 198.51.100.1 1 2\rX",  // CR without LF
    ])
    func malformedVersionOneLinesAreInvalid(line: String) {
        guard case .invalid = ProxyHeader.parse(Array(line.utf8)) else {
            Issue.record("accepted: \(line.debugDescription)")
            return
        }
    }

    @Test func anOverlongVersionOneLineIsInvalidWithoutItsEnd() {
        let long = Array("PROXY UNKNOWN ".utf8) + [UInt8](repeating: 0x61, count: 200)
        guard case .invalid = ProxyHeader.parse(long) else {
            Issue.record("accepted")
            return
        }
        let exactlyTooLong = Array("PROXY UNKNOWN ".utf8) + [UInt8](repeating: 0x61, count: 92) + [0x0D, 0x0A]  // 108 bytes
        guard case .invalid = ProxyHeader.parse(exactlyTooLong) else {
            Issue.record("108 bytes accepted")
            return
        }
        let longest = Array("PROXY UNKNOWN ".utf8) + [UInt8](repeating: 0x61, count: 91) + [0x0D, 0x0A]  // 107 bytes
        #expect(ProxyHeader.parse(longest) == .header(ProxyHeader(sourceAddress: nil), length: 107))
    }

    @Test func malformedVersionTwoHeadersAreInvalid() {
        let cases: [[UInt8]] = [
            Self.v2Signature + [0x10, 0x11, 0, 12] + [UInt8](repeating: 1, count: 12),  // version 1 in the binary form
            Self.v2(command: 2, family: 0x11, body: [UInt8](repeating: 1, count: 12)),  // command 2
            Self.v2(family: 0x41, body: [UInt8](repeating: 1, count: 12)),  // family 4
            Self.v2(family: 0x13, body: [UInt8](repeating: 1, count: 12)),  // transport 3
            Self.v2(family: 0x11, body: [UInt8](repeating: 1, count: 8)),  // IPv4 addresses cut short
            Self.v2(family: 0x11, body: [UInt8](repeating: 1, count: 12) + [0xE0, 0x00, 0x09, 1]),  // TLV overruns
            Self.v2Signature + [0x21, 0x11, 0xFF, 0xFF],  // 65 KiB announced: refused before it arrives
        ]
        for header in cases {
            guard case .invalid = ProxyHeader.parse(header) else {
                Issue.record("accepted: \(header)")
                continue
            }
        }
    }
}

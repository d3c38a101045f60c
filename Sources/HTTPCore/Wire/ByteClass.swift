/// ByteClass answers "is this byte one of …" for the character sets of HTTP's grammar with two
/// 64-bit masks: no table, no allocation, a shift and a test per byte. The sets are computed
/// properties of constants, so each use folds to two immediates (no lazy global).
struct ByteClass: Sendable {
    private let low: UInt64  // bytes 0–63
    private let high: UInt64  // bytes 64–127

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : byte < 128 && (high >> UInt64(byte &- 64)) & 1 == 1
    }

    /// RFC 9110 `tchar`: the bytes of a token (method, field name).
    static var token: ByteClass { ByteClass(low: 0x03ff_6cfa_0000_0000, high: 0x57ff_ffff_c7ff_fffe) }
    /// RFC 3986 reg-name bytes: unreserved, sub-delims and `%`.
    static var registeredName: ByteClass { ByteClass(low: 0x2bff_7ff2_0000_0000, high: 0x47ff_fffe_87ff_fffe) }
    /// Hexadecimal digits.
    static var hexDigit: ByteClass { ByteClass(low: 0x03ff_0000_0000_0000, high: 0x0000_007e_0000_007e) }

    /// RFC 9110 field-value bytes: visible ASCII, space, tab and obs-text; no other control.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == 0x09
    }
}

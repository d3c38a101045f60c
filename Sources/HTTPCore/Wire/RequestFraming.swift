/// RequestFraming is what one request's head says about the request itself and its body: the
/// version, `Host`, `Content-Length` and `Transfer-Encoding`, checked line by line.
struct RequestFraming: Sendable {
    private var hostLines = 0
    private var transferEncodingLines = 0
    private(set) var contentLength: Int?
    // The flags in the optional's spare bytes (a connection's scanner holds one of these).
    private(set) var isHTTP10 = false
    private(set) var isChunked = false

    /// `method SP request-target SP HTTP-version`.
    mutating func readRequestLine(_ line: UnsafeRawBufferPointer) -> RequestViolation? {
        var index = 0
        while index < line.count && ByteClass.token.contains(line[index]) { index += 1 }
        guard index > 0, index < line.count, line[index] == UInt8(ascii: " ") else { return .invalidRequestLine }
        index += 1
        let targetStart = index
        while index < line.count && line[index] != UInt8(ascii: " ") {
            let byte = line[index]
            if byte < 0x20 || byte == 0x7F { return .controlCharacter }
            index += 1
        }
        guard index > targetStart, index < line.count else { return .invalidRequestLine }
        let version = UnsafeRawBufferPointer(rebasing: line[(index + 1)...])
        guard version.count == 8, version[0] == UInt8(ascii: "H"), version[1] == UInt8(ascii: "T"),
            version[2] == UInt8(ascii: "T"), version[3] == UInt8(ascii: "P"), version[4] == UInt8(ascii: "/"),
            version[6] == UInt8(ascii: "."), let major = Self.digit(version[5]), let minor = Self.digit(version[7])
        else { return .invalidRequestLine }
        isHTTP10 = major == 0 || (major == 1 && minor == 0)
        return nil
    }

    /// One header field line; remembers what frames the body.
    mutating func readFieldLine(_ line: UnsafeRawBufferPointer) -> RequestViolation? {
        guard case let .valid(colon) = FieldLine.check(line) else {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                return .obsoleteLineFolding
            }
            return FieldLine.check(line) == .controlCharacter ? .controlCharacter : .invalidFieldName
        }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        switch colon {
        case 4 where name.equalsIgnoringASCIICase("host"):
            hostLines += 1
            guard hostLines == 1 else { return .duplicateHost }
            guard HostValue.isValid(FieldLine.value(of: line, colon: colon)) else { return .invalidHost }
        case 14 where name.equalsIgnoringASCIICase("content-length"):
            guard contentLength == nil else { return .duplicateContentLength }
            let value = FieldLine.value(of: line, colon: colon)
            guard (1...18).contains(value.count), value.allSatisfy({ Self.digit($0) != nil }) else {
                return .invalidContentLength
            }
            contentLength = value.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
        case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
            transferEncodingLines += 1
            // evhttp de-chunks exactly `chunked` and frames anything else as no body at all,
            // leaving the real body to be read as the next request.
            guard transferEncodingLines == 1,
                FieldLine.value(of: line, colon: colon).equalsIgnoringASCIICase("chunked")
            else { return .unsupportedTransferEncoding }
            isChunked = true
        default:
            break
        }
        return nil
    }

    /// What the complete head says is wrong with the request's framing, if anything.
    var framingViolation: RequestViolation? {
        if !isHTTP10 && hostLines == 0 { return .missingHost }
        if isChunked && isHTTP10 { return .transferEncodingInHTTP10 }
        if isChunked && contentLength != nil { return .contentLengthWithTransferEncoding }
        return nil
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte &- UInt8(ascii: "0")) : nil
    }
}

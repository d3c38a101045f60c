#if canImport(Glibc)
import Glibc
#endif

/// RequestScanner follows one connection's request bytes as they arrive, before evhttp parses
/// them, and reports the first way they break HTTP/1.1.
///
/// It frames requests exactly as evhttp does (request line, field lines, then a Content-Length
/// or chunked body, then the next request), so it sees every pipelined request, and it sees the
/// bytes evhttp's parser hides: a NUL that would end a C string, a folded line evhttp would merge.
/// Incremental: give it each read's new bytes; a line split across reads is carried over.
public struct RequestScanner: Sendable {
    /// Where the connection stands in its current request.
    public enum Position: Sendable, Equatable {
        /// No byte of the next request yet.
        case betweenRequests
        /// Inside the request line or header block.
        case inHead
        /// Inside a body (Content-Length or chunked, trailer included).
        case inBody
    }

    /// How many bytes were given to `scan`, in all.
    public private(set) var bytesScanned = 0
    /// The offset in the connection's byte stream where the last whole request ended: bytes
    /// before it belong to requests the scanner found valid, even when a later one was not.
    public private(set) var endOfLastRequest = 0

    private enum State: Sendable {
        case requestLine, fieldLine, body, chunkSize, chunkData, chunkDataEnd, trailerLine, refused
    }

    /// Body or chunk bytes still to come.
    private var remaining = 0
    /// An unfinished line from earlier reads.
    private var carried: [UInt8] = []
    private var headBytes = 0
    private let maxHeadBytes: Int
    /// The stream offset just after the bytes being handled (for `endOfLastRequest`).
    private var cursor = 0
    private var request = RequestFraming()
    // The one-byte fields last, in `request`'s spare bytes: every connection holds a scanner.
    /// Where the connection stands now.
    public private(set) var position = Position.betweenRequests
    private var state = State.requestLine

    /// The longest chunk-size or trailer line accepted.
    static let maxBodyLineBytes = 4096

    /// A scanner refusing request lines plus header blocks over `maxHeadBytes`.
    public init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Scans the next bytes of the connection; returns the first violation, after which the
    /// scanner refuses everything.
    public mutating func scan(_ bytes: UnsafeRawBufferPointer) -> RequestViolation? {
        guard state != .refused else { return nil }
        let start = bytesScanned
        bytesScanned += bytes.count
        var index = 0
        while index < bytes.count {
            switch state {
            case .body, .chunkData:
                let taken = min(remaining, bytes.count - index)
                remaining -= taken
                index += taken
                cursor = start + index
                if remaining == 0 {
                    if state == .body { endRequest() } else { state = .chunkDataEnd }
                }
            case .refused:
                return nil
            case .requestLine, .fieldLine, .chunkSize, .chunkDataEnd, .trailerLine:
                // bytes is non-empty here (index < count), so it has a base address.
                let base = bytes.baseAddress!
                let newline = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index)
                let found = newline != nil
                let end = newline.map { UnsafeRawPointer($0) - base } ?? bytes.count
                let piece = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
                index = found ? end + 1 : end
                cursor = start + index
                if let violation = take(piece, complete: found) { return refuse(violation) }
            }
        }
        return nil
    }

    /// Takes part of a line (`complete` when its LF was found).
    private mutating func take(_ piece: UnsafeRawBufferPointer, complete: Bool) -> RequestViolation? {
        let inHead = state == .requestLine || state == .fieldLine
        if inHead {
            if state == .requestLine && !piece.isEmpty { position = .inHead }
            headBytes += piece.count + (complete ? 1 : 0)
            if headBytes > maxHeadBytes { return .headerTooLarge }
        } else if carried.count + piece.count > Self.maxBodyLineBytes {
            return state == .trailerLine ? .malformedTrailer : .malformedChunk
        }
        guard complete else {
            carried.append(contentsOf: piece)
            return nil
        }
        if carried.isEmpty { return line(piece) }
        let whole = carried + Array(piece)
        carried = []
        return whole.withUnsafeBytes { line($0) }
    }

    /// Handles one complete line, without its LF. The head's lines may end in a bare LF (RFC 9112
    /// §2.2 lets a recipient accept one, as evhttp does); chunked framing's may not (§7.1): a front
    /// end that reads a bare LF differently would see other chunk boundaries, a smuggling vector.
    private mutating func line(_ raw: UnsafeRawBufferPointer) -> RequestViolation? {
        let endsInCRLF = raw.last == UInt8(ascii: "\r")
        let text = endsInCRLF ? UnsafeRawBufferPointer(rebasing: raw.dropLast()) : raw
        switch state {
        case .requestLine:
            if text.isEmpty {  // RFC 9112 §2.2: empty lines before a request line are ignored
                position = .betweenRequests
                headBytes = 0
                return nil
            }
            request = RequestFraming()
            if let violation = request.readRequestLine(text) { return violation }
            state = .fieldLine
            return nil
        case .fieldLine:
            if text.isEmpty { return endOfHead() }
            return request.readFieldLine(text)
        case .chunkSize:
            guard endsInCRLF else { return .malformedChunk }
            switch ChunkSizeLine.parse(text) {
            case let .size(size) where size > 0:
                remaining = size
                state = .chunkData
            case .size:
                state = .trailerLine
            case let .invalid(violation):
                return violation
            }
            return nil
        case .chunkDataEnd:
            guard endsInCRLF, text.isEmpty else { return .malformedChunk }
            state = .chunkSize
            return nil
        case .trailerLine:
            guard endsInCRLF else { return .malformedTrailer }
            if text.isEmpty {
                endRequest()
                return nil
            }
            switch FieldLine.check(text) {
            case .controlCharacter: return .controlCharacter
            case .invalid: return .malformedTrailer
            case .valid: return nil
            }
        case .body, .chunkData, .refused:
            return nil
        }
    }

    private mutating func endOfHead() -> RequestViolation? {
        if let violation = request.framingViolation { return violation }
        if request.isChunked {
            state = .chunkSize
            position = .inBody
        } else if let length = request.contentLength, length > 0 {
            remaining = length
            state = .body
            position = .inBody
        } else {
            endRequest()
        }
        return nil
    }

    private mutating func endRequest() {
        endOfLastRequest = cursor
        state = .requestLine
        position = .betweenRequests
        headBytes = 0
    }

    private mutating func refuse(_ violation: RequestViolation) -> RequestViolation {
        state = .refused
        carried = []
        return violation
    }
}

import EventServerSupport
import HTTPCore

/// StateFile keeps the maintenance state on disk, so a restart during maintenance does not
/// silently reopen the service.
///
/// Content: `{"state":"maintenance","since":"…","since_unix":…}`. Written atomically on every
/// change. A file that cannot be read or understood fails closed: the server starts in
/// maintenance and says why.
public struct StateFile: Sendable {
    /// What reading the file found.
    public enum Reading: Equatable, Sendable {
        /// No file yet: nothing is known.
        case missing
        /// The recorded state and when it began.
        case recorded(maintenance: Bool, since: Int?)
        /// Unreadable or malformed; the reason, for the log.
        case unusable(String)
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func read() -> Reading {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch let error as FileError where error.isMissing {
            return .missing
        } catch {
            return .unusable("\(error)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let since = Self.number(after: "\"since_unix\":", in: text)
        if text.contains("\"state\":\"maintenance\"") { return .recorded(maintenance: true, since: since) }
        if text.contains("\"state\":\"serving\"") { return .recorded(maintenance: false, since: since) }
        return .unusable("\(path) holds no \"state\" of \"maintenance\" or \"serving\"")
    }

    public func write(maintenance: Bool, since: Int) throws {
        let state = maintenance ? "maintenance" : "serving"
        try AtomicFile.write(
            "{\"state\":\"\(state)\",\"since\":\"\(UTCTime.iso8601(since))\",\"since_unix\":\(since)}\n", to: path)
    }

    private static func number(after key: String, in text: String) -> Int? {
        guard let range = text.firstRange(of: key) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

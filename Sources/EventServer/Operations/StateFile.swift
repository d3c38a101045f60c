import EventServerSupport
import HTTPCore
import Maintenance

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// StateFile keeps the maintenance state on disk, so a restart during maintenance does not
/// silently reopen the service.
///
/// Content: `{"state":"maintenance","since":"…","since_unix":…}`, plus the operator's notice
/// while there is one (`"message":"…","until":"…","until_unix":…`). Written atomically on every
/// change. A file that cannot be read or understood fails closed: the server starts in
/// maintenance and says why.
public struct StateFile: Sendable {
    /// What reading the file found.
    public enum Reading: Equatable, Sendable {
        /// No file yet: nothing is known.
        case missing
        /// The recorded state and when it began.
        case recorded(maintenance: Bool, since: Int?, notice: MaintenanceNotice? = nil)
        /// Unreadable or malformed; the reason, for the log.
        case unusable(String)
    }

    /// Where the state is kept.
    public let path: String

    /// A state file at `path` (nothing is read or written yet).
    public init(path: String) {
        self.path = path
    }

    /// What the file records; never throws, so a bad file can fail closed.
    public func read() -> Reading {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch let error as FileError where error.isMissing {
            return .missing
        } catch {
            return .unusable("\(error)")
        }
        guard let content = try? JSONDecoder().decode(Content.self, from: Data(bytes)) else {
            return .unusable("\(path) is not a JSON object with a \"state\"")
        }
        let notice = content.message != nil || content.until_unix != nil || content.bypass_sha256 != nil
            ? MaintenanceNotice(message: content.message, until: content.until_unix, bypassDigest: content.bypass_sha256) : nil
        switch content.state {
        case "maintenance": return .recorded(maintenance: true, since: content.since_unix, notice: notice)
        case "serving": return .recorded(maintenance: false, since: content.since_unix)
        default: return .unusable("\(path) holds no \"state\" of \"maintenance\" or \"serving\"")
        }
    }

    /// Records the state atomically (the notice only while in maintenance); throws when the file
    /// cannot be written.
    public func write(maintenance: Bool, since: Int, notice: MaintenanceNotice? = nil) throws {
        let state = maintenance ? "maintenance" : "serving"
        var text = "{\"state\":\"\(state)\",\"since\":\"\(UTCTime.iso8601(since))\",\"since_unix\":\(since)"
        if maintenance, let notice {
            if let message = notice.message { text += ",\"message\":\(TextEscaping.jsonString(message))" }
            if let until = notice.until { text += ",\"until\":\"\(UTCTime.iso8601(until))\",\"until_unix\":\(until)" }
            if let digest = notice.bypassDigest { text += ",\"bypass_sha256\":\(TextEscaping.jsonString(digest))" }
        }
        try AtomicFile.write(text + "}\n", to: path)
    }

    private struct Content: Decodable {
        let state: String
        let since_unix: Int?
        let message: String?
        let until_unix: Int?
        let bypass_sha256: String?
    }
}

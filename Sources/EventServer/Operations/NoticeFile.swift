import EventServerSupport
import Logging
import Maintenance

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// NoticeFile carries a maintenance notice from `eventserver ctl` to the server: ctl writes it
/// beside the pid file (`PIDFILE.notice`, mode 0600), then sends SIGUSR1; the server reads it
/// when the signal arrives. The signal stays the trigger, and no HTTP endpoint can change the
/// page.
///
/// The server trusts the file only when it belongs to the server's own user or root and no one
/// else may write it, and only when it is fresh (written within `maxAgeSeconds`), so neither
/// another local user nor a leftover from an old `ctl` call can change what a plain SIGUSR1 shows.
public struct NoticeFile: Sendable {
    /// The file's content.
    struct Content: Codable {
        var message: String?
        var until_unix: Int?
        var bypass_sha256: String?
        var written_unix: Int
    }

    /// What reading the file found.
    public enum Reading: Equatable, Sendable {
        /// No file, or an old one: a plain signal.
        case none
        /// A fresh notice from an allowed writer.
        case notice(MaintenanceNotice)
        /// A file that must not be trusted or cannot be read; the reason, for the log.
        case rejected(String)
    }

    /// How long after `ctl` wrote it a notice is still taken: ctl signals at once, so anything
    /// older was left behind.
    public static let maxAgeSeconds = 60

    /// `PIDFILE.notice`.
    public let path: String

    /// The notice file of the server whose pid file is `pidFilePath`.
    public init(pidFilePath: String) {
        path = pidFilePath + ".notice"
    }

    /// Writes `notice` (ctl's side), readable and writable by its owner only.
    public func write(_ notice: MaintenanceNotice, now: Int = time(nil)) throws {
        let content = Content(
            message: notice.message, until_unix: notice.until, bypass_sha256: notice.bypassDigest, written_unix: now)
        let encoded = try JSONEncoder().encode(content)
        try AtomicFile.write(String(decoding: encoded, as: UTF8.self) + "\n", to: path, mode: 0o600)
    }

    /// Removes the file (ctl's side, once the server confirmed or the signal failed).
    public func remove() {
        unlink(path)
    }

    /// The notice, if a fresh one from the server's own user (or root) is there.
    public func read(now: Int = time(nil)) -> Reading {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            return errno == ENOENT ? .none : .rejected("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else { return .rejected("\(path) is not a regular file") }
        guard status.st_uid == geteuid() || status.st_uid == 0 else {
            return .rejected("\(path) belongs to uid \(status.st_uid), not to this server's user or root")
        }
        guard status.st_mode & 0o022 == 0 else { return .rejected("\(path) may be written by other users") }
        let content: Content
        do {
            content = try JSONDecoder().decode(Content.self, from: Data(FileBytes.read(path)))
        } catch {
            return .rejected("\(path) is not a notice: \(error)")
        }
        guard now - content.written_unix <= Self.maxAgeSeconds else { return .none }
        return .notice(
            MaintenanceNotice(
                message: content.message.map(Self.capped), until: content.until_unix, bypassDigest: content.bypass_sha256))
    }

    /// `text` cut to `MaintenanceNotice.maxMessageBytes` at a character boundary (ctl refuses
    /// longer messages; a hand-written file gets no more room).
    static func capped(_ text: String) -> String {
        var bytes = 0
        var kept = ""
        for character in text {
            bytes += character.utf8.count
            guard bytes <= MaintenanceNotice.maxMessageBytes else { break }
            kept.append(character)
        }
        return kept
    }

    /// The notice `ctl` left for the SIGUSR1 being handled by the server whose pid file is
    /// `pidFilePath`, if a trustworthy fresh one is there; a rejected file is logged.
    static func noticeForSignal(pidFilePath: String?, logger: Logger) -> MaintenanceNotice? {
        guard let pidFilePath else { return nil }
        switch NoticeFile(pidFilePath: pidFilePath).read() {
        case let .notice(notice):
            return notice
        case let .rejected(reason):
            logger.warning("maintenance notice ignored", metadata: ["reason": "\(reason)"])
            return nil
        case .none:
            return nil
        }
    }
}

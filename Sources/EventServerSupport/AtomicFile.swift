#if canImport(Glibc)
import Glibc
#endif

/// AtomicFile replaces a file's content all at once: write a temporary file beside it, fsync,
/// rename over the old one, fsync the folder. A crash leaves either the old or the new content,
/// never half, and once `write` returns the new content survives a power cut (the rename itself
/// is only durable once the folder's entry is on disk).
package enum AtomicFile {
    /// Writes `text` to `path`; a new file gets `mode` (0600 keeps it to its owner).
    package static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        let temporary = "\(path).tmp.\(getpid())"
        unlink(temporary)  // a leftover of a crash would keep its own mode
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw error(path) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let failure = error(path)
            unlink(temporary)
            throw failure
        }
        try syncFolder(of: path)
    }

    private static func syncFolder(of path: String) throws {
        let folder = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw error(path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw error(path) }
    }

    private static func error(_ path: String) -> FileError {
        .unwritable(path: path, reason: String(cString: strerror(errno)))
    }
}

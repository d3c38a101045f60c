#if canImport(Glibc)
import Glibc
#endif

/// FileBytes reads small files (pages, configuration) without Foundation.
package enum FileBytes {
    /// The whole content of the file at `path`; throws `FileError.unreadable`.
    package static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw FileError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes.append(contentsOf: chunk[..<count])
            if count < chunk.count { break }
        }
        if ferror(file) != 0 {
            throw FileError.unreadable(path: path, reason: "read error")
        }
        return bytes
    }
}

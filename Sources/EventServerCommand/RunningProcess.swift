import EventServer

#if canImport(Glibc)
import Glibc
#endif

/// RunningProcess reads what `ctl` needs to know about a running server from `/proc`.
enum RunningProcess {
    /// The running server's arguments, without the program name.
    static func arguments(of pid: Int32) throws -> [String] {
        guard let bytes = try? FileBytes.read("/proc/\(pid)/cmdline") else {
            throw ControlError("cannot read the arguments of pid \(pid)")
        }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().dropFirst()
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// The path the running server's binary was started from, even if the file was replaced.
    static func executable(of pid: Int32) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw ControlError("cannot find the binary of pid \(pid); give --binary") }
        let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let replaced = " (deleted)"
        return path.hasSuffix(replaced) ? String(path.dropLast(replaced.count)) : path
    }

    /// The value of `--name VALUE` or `--name=VALUE` in the running server's arguments, made
    /// absolute against its working folder.
    static func pathOption(_ name: String, of pid: Int32) -> String? {
        guard let arguments = try? arguments(of: pid) else { return nil }
        var value: String?
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count { value = arguments[index + 1] }
            if argument.hasPrefix(name + "=") { value = String(argument.dropFirst(name.count + 1)) }
        }
        guard let value, !value.hasPrefix("/") else { return value }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/\(pid)/cwd", &buffer, buffer.count - 1)
        guard length > 0 else { return value }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + value
    }
}

import EventServer
import EventServerClient

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// ServerProbe finds a running server's listening address from its pid and reads its `/status`.
///
/// The address comes from the kernel (`/proc/PID/fd` socket inodes matched against
/// `/proc/net/tcp{,6}` listeners), so `ctl` needs only the pid file.
struct ServerProbe {
    /// What `/status` reports.
    struct Status: Decodable {
        let state: String
        let since: String
        let uptime_seconds: Double
        let pid: Int32
        let version: String
        let requests: Int
        let reloads: Int
        /// The operator's maintenance notice (absent from servers older than notices).
        let message: String?
        let until: String?
        /// Whether a bypass token is in force (absent from servers before it existed).
        let bypass: Bool?
    }

    let host: String
    let port: Int
    /// A `--workers` master's workers (each answers `/status` for itself); empty for one server.
    let workers: [Int32]

    /// The server's own certificate file when it serves HTTPS (`--tls-cert`): trusted, and
    /// nothing else, to read its status.
    let trustedCertificate: String?
    var url: String {
        let scheme = trustedCertificate == nil ? "http" : "https"
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }

    /// The probe for `pid`'s first listening TCP socket, or its workers' when `pid` is a
    /// `--workers` master (which only reserves the port); nil when none can be seen.
    init?(pid: Int32) {
        let children = (try? String(decoding: FileBytes.read("/proc/\(pid)/task/\(pid)/children"), as: UTF8.self)) ?? ""
        workers = children.split(separator: " ").compactMap { Int32($0) }
        let inodes = ([pid] + workers)
            .reduce(into: Set<String>()) { $0.formUnion(Self.socketInodes(of: $1)) }
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(decoding: FileBytes.read(table), as: UTF8.self) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                    let (host, port) = Self.address(fields[1])
                else { continue }
                self.host = host
                self.port = port
                trustedCertificate = RunningProcess.pathOption("--tls-cert", of: pid)
                return
            }
        }
        return nil
    }

    /// GETs `/status`; throws a message for the operator.
    func status(timeoutSeconds: Int = 1) throws -> Status {
        let response: HTTPResponse
        do {
            let connection = try HTTPConnection(
                host: host, port: port, timeoutSeconds: timeoutSeconds, trusting: trustedCertificate)
            response = try connection.get("/status", headers: ["Connection": "close"])
        } catch {
            throw ControlError("cannot read \(url)/status: \(error)")
        }
        do {
            return try JSONDecoder().decode(Status.self, from: Data(response.body))
        } catch {
            throw ControlError("\(url)/status did not answer with eventserver's status JSON")
        }
    }

    private static func socketInodes(of pid: Int32) -> Set<String> {
        guard let directory = opendir("/proc/\(pid)/fd") else { return [] }
        defer { closedir(directory) }
        var inodes: Set<String> = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/\(pid)/fd/\(name)", &target, target.count - 1)
            guard length > 0 else { continue }
            let link = String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("socket:[") { inodes.insert(String(link.dropFirst(8).dropLast())) }
        }
        return inodes
    }

    /// Decodes `/proc/net/tcp`'s `0100007F:1F90` (32-bit words in host order) to a host to
    /// connect to: a wildcard listener is reached on loopback.
    private static func address(_ field: Substring) -> (String, Int)? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16) else { return nil }
        var bytes: [UInt8] = []
        var hex = parts[0][...]
        while hex.count >= 8 {
            guard let word = UInt32(hex.prefix(8), radix: 16) else { return nil }
            withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
            hex = hex.dropFirst(8)
        }
        var text = [CChar](repeating: 0, count: 64)
        if bytes.count == 4 {
            if bytes == [0, 0, 0, 0] { return ("127.0.0.1", port) }
            inet_ntop(AF_INET, bytes, &text, 64)
        } else {
            if bytes.allSatisfy({ $0 == 0 }) { return ("::1", port) }
            inet_ntop(AF_INET6, bytes, &text, 64)
        }
        return (String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port)
    }
}

/// ControlError is a message `ctl` prints before exiting with status 1.
struct ControlError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

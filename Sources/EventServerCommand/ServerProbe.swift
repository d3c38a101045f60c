import EventServer

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
    }

    let host: String
    let port: Int

    var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }

    /// The probe for `pid`'s first listening TCP socket, or its workers' when `pid` is a
    /// `--workers` master (which only reserves the port); nil when none can be seen.
    init?(pid: Int32) {
        let children = (try? String(decoding: FileBytes.read("/proc/\(pid)/task/\(pid)/children"), as: UTF8.self)) ?? ""
        let inodes = ([pid] + children.split(separator: " ").compactMap { Int32($0) })
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
                return
            }
        }
        return nil
    }

    /// `host` and `port` given directly (`ctl --url`).
    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// GETs `/status`; throws a message for the operator.
    func status(timeoutSeconds: Int = 1) throws -> Status {
        let body = try get("/status", timeoutSeconds: timeoutSeconds)
        do {
            return try JSONDecoder().decode(Status.self, from: Data(body))
        } catch {
            throw ControlError("\(url)/status did not answer with eventserver's status JSON")
        }
    }

    private func get(_ path: String, timeoutSeconds: Int) throws -> [UInt8] {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ControlError("cannot create a socket") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connectTo(descriptor, family: family) else { throw ControlError("cannot connect to \(url)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[..<count]
        }
        guard let end = response.firstRange(of: [13, 10, 13, 10]) else { throw ControlError("no HTTP reply from \(url)") }
        return Array(response[end.upperBound...])
    }

    private func connectTo(_ descriptor: Int32, family: Int32) -> Bool {
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
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

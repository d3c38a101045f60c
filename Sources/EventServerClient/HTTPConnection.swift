import CTLS

#if canImport(Glibc)
import Glibc
#endif

/// HTTPConnection is a small HTTP/1.1 client over one blocking socket: `ctl` reads `/status`
/// with it, and the tests use it to control keep-alive, pipelining and malformed bytes exactly.
///
/// Every read is bounded by the receive timeout given at creation.
public final class HTTPConnection {
    private let socket: Int32
    /// The TLS session when connected with `trusting:`.
    private var tls: UnsafeMutableRawPointer?
    private var buffer: [UInt8] = []
    /// The address connected to, for messages.
    public let address: String

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`; with `trusting`, speaks TLS and
    /// accepts only a server whose certificate that PEM file vouches for.
    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 5, trusting certificateFile: String? = nil) throws(HTTPClientError) {
        address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let family = host.contains(":") ? AF_INET6 : AF_INET
        socket = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw HTTPClientError("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Self.connect(socket, family: family, host: host, port: port) else {
            let reason = errno
            close(socket)
            throw HTTPClientError("connect to \(address) failed: errno \(reason)")
        }
        if let certificateFile {
            var reason = [CChar](repeating: 0, count: 512)
            guard let session = ctls_client_connect(socket, certificateFile, host, &reason, UInt(reason.count)) else {
                close(socket)
                let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw HTTPClientError("TLS with \(address) failed (trusting \(certificateFile)): \(text)")
            }
            tls = session
        }
    }

    deinit {
        if let tls { ctls_client_close(tls) }
        close(socket)
    }

    public func write(_ text: String) throws(HTTPClientError) {
        try write(Array(text.utf8))
    }

    public func write(_ bytes: [UInt8]) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { piece -> Int in
                if let tls { return Int(ctls_client_write(tls, piece.baseAddress, Int32(piece.count))) }
                return send(socket, piece.baseAddress, piece.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw HTTPClientError("send to \(address) failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends a GET (or another method) with `Host` and reads the response.
    public func get(_ path: String, method: String = "GET", headers: [String: String] = [:]) throws(HTTPClientError) -> HTTPResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try write(request + "\r\n")
        return try readResponse(method: method)
    }

    /// Reads one response; a reply to HEAD has no body whatever its Content-Length says; a
    /// chunked body is read to its end.
    public func readResponse(method: String = "GET") throws(HTTPClientError) -> HTTPResponse {
        let response = try readHead(method: method)
        if method == "HEAD" || response.status == 204 || response.status == 304 { return response }
        if response[header: "Transfer-Encoding"]?.lowercased() == "chunked" {
            var body: [UInt8] = []
            while let chunk = try readChunk() { body += chunk }
            return HTTPResponse(status: response.status, headers: response.headers, body: body)
        }
        let length = response[header: "Content-Length"].flatMap { Int($0) } ?? 0
        return HTTPResponse(status: response.status, headers: response.headers, body: try readExactly(length))
    }

    /// Reads a response's head only, leaving a streamed body to `readChunk()`.
    public func readHead(method: String = "GET") throws(HTTPClientError) -> HTTPResponse {
        let head = try readHead()
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw HTTPClientError("bad status line from \(address): \(lines[0])")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPClientError("bad header from \(address): \(line)") }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((String(line[..<colon]), String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed())))
        }
        return HTTPResponse(status: status, headers: headers, body: [])
    }

    /// The next chunk of a chunked body, or nil after the last one (and its trailer).
    public func readChunk() throws(HTTPClientError) -> [UInt8]? {
        let sizeLine = try readLine()
        let sizeText = sizeLine.prefix { $0 != ";" }
        guard let size = Int(sizeText, radix: 16) else { throw HTTPClientError("bad chunk size from \(address): \(sizeLine)") }
        if size == 0 {
            while try !readLine().isEmpty {}  // trailer fields, then the empty line
            return nil
        }
        let chunk = try readExactly(size)
        guard try readLine().isEmpty else { throw HTTPClientError("chunk from \(address) not ended by CRLF") }
        return chunk
    }

    private func readLine() throws(HTTPClientError) -> String {
        try read(until: [13, 10])
    }

    /// Whether the server closed the connection (reads EOF within the receive timeout).
    public func isClosedByServer() -> Bool {
        if !buffer.isEmpty { return false }
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, 0) == 0
    }

    private func readHead() throws(HTTPClientError) -> String {
        try read(until: [13, 10, 13, 10])
    }

    /// The text before `separator`, which is consumed too.
    private func read(until separator: [UInt8]) throws(HTTPClientError) -> String {
        while true {
            if let end = buffer.firstRange(of: separator) {
                let text = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                return text
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws(HTTPClientError) -> [UInt8] {
        while buffer.count < count { try fill() }
        let bytes = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return bytes
    }

    private func fill() throws(HTTPClientError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { space -> Int in
            if let tls { return Int(ctls_client_read(tls, space.baseAddress, Int32(space.count))) }
            return recv(socket, space.baseAddress, space.count, 0)
        }
        guard received > 0 else {
            throw HTTPClientError(received == 0 ? "connection closed by \(address)" : "recv from \(address) failed: errno \(errno)")
        }
        buffer.append(contentsOf: chunk[..<received])
    }

    private static func connect(_ socket: Int32, family: Int32, host: String, port: Int) -> Bool {
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return false }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
                }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

import CEvent

#if canImport(Glibc)
import Glibc
#endif

/// Listener binds the listening socket with options evhttp's own binding lacks.
///
/// `evhttp_bind_socket` hard-codes a backlog of 128 and no SO_REUSEPORT; this builds an
/// `evconnlistener` instead and returns it ready for `evhttp_bind_listener`.
enum Listener {
    /// A bound listener and the address it really got (the port is known even for port 0).
    struct Bound {
        let listener: OpaquePointer
        let host: String
        let port: Int
        /// `http://127.0.0.1:8080` or `http://[::1]:8080`.
        var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }
    }

    static func bind(base: OpaquePointer, host: String, port: Int, backlog: Int) throws -> Bound {
        let shownAddress = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard (0...65535).contains(port) else {
            throw ServerError.cannotListen(address: shownAddress, reason: "port out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw ServerError.cannotListen(address: shownAddress, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }

        let flags = UInt32(LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC)
        var lastError: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            errno = 0
            if let listener = evconnlistener_new_bind(
                base, nil, nil, flags, Int32(clamping: backlog), address.pointee.ai_addr,
                Int32(address.pointee.ai_addrlen))
            {
                let (boundHost, boundPort) = localAddress(of: evconnlistener_get_fd(listener))
                return Bound(listener: listener, host: boundHost ?? host, port: boundPort ?? port)
            }
            lastError = errno
            candidate = address.pointee.ai_next
        }
        throw ServerError.cannotListen(address: shownAddress, reason: String(cString: strerror(lastError)))
    }

    /// The address and port a bound socket really got (`getsockname`).
    static func localAddress(of socket: Int32) -> (String?, Int?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
        }
        guard found else { return (nil, nil) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return (cString(text), Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return (cString(text), Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        default:
            return (nil, nil)
        }
    }

    private static func cString(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import EventServerSupport
internal import Evhttp

#if canImport(Glibc)
import Glibc
#endif

/// PortReservation binds the address workers share, after checking nobody else listens there.
///
/// The reservation turns `--port 0` into one concrete port; the master then listens on it and
/// on one more SO_REUSEPORT socket per further worker slot, and keeps them all.
enum PortReservation {
    /// Binds the address for a group of workers; throws the usual "in use" error when any other
    /// socket listens there (another eventserver, alone or with workers, or anything else).
    static func reserve(host: String, port: Int) throws -> (descriptor: Int32, port: Int) {
        try withAddress(host: host, port: port) { address, shown in try reserve(address, port: port, shown: shown) }
    }

    private static func reserve(_ address: UnsafeMutablePointer<addrinfo>, port: Int, shown: String) throws -> (descriptor: Int32, port: Int) {
        if port != 0 { try ensureNobodyListens(on: address.pointee, shown: shown) }
        let descriptor = try bindShared(address.pointee, shown: shown)
        guard let boundPort = SocketAddress.local(of: descriptor)?.port else {
            close(descriptor)
            throw TransportError.cannotListen(address: shown, reason: "cannot read the bound port")
        }
        return (descriptor, boundPort)
    }

    /// A listening socket in the port's SO_REUSEPORT group, for one worker slot. The master
    /// keeps it, so the slot's accept queue outlives a worker that dies (its replacement
    /// adopts the same socket) and can be handed over by `ctl upgrade`.
    static func listeningSocket(host: String, port: Int, backlog: Int) throws -> Int32 {
        try withAddress(host: host, port: port) { address, shown in
            let descriptor = try bindShared(address.pointee, shown: shown)
            try listen(descriptor, backlog: backlog, shown: shown)
            return descriptor
        }
    }

    /// Starts listening on a bound socket; closes it and throws when the kernel refuses.
    static func listen(_ descriptor: Int32, backlog: Int, shown: String) throws {
        guard Glibc.listen(descriptor, Int32(clamping: backlog)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TransportError.cannotListen(address: shown, reason: reason)
        }
    }

    /// Runs `body` with the first address `host:port` resolves to (and how to show it).
    private static func withAddress<Result>(
        host: String, port: Int, _ body: (UnsafeMutablePointer<addrinfo>, String) throws -> Result
    ) throws -> Result {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let shown = SocketAddress.display(host: host, port: port)
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let address = results else {
            throw TransportError.cannotListen(address: shown, reason: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(results) }
        return try body(address, shown)
    }

    private static func bindShared(_ address: addrinfo, shown: String) throws -> Int32 {
        let descriptor = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        guard descriptor >= 0, bind(descriptor, address.ai_addr, address.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TransportError.cannotListen(address: shown, reason: reason)
        }
        return descriptor
    }

    /// SO_REUSEPORT lets any socket of the same user join a port's group, so a second group
    /// would silently share the port. A plain bind (SO_REUSEADDR only, which a TIME_WAIT
    /// leftover does not block) fails while any socket listens there: that is the refusal a
    /// single server gets too. The window between this probe and the reservation is a few
    /// system calls.
    private static func ensureNobodyListens(on address: addrinfo, shown: String) throws {
        let probe = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return }
        defer { close(probe) }
        var one: Int32 = 1
        setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(probe, address.ai_addr, address.ai_addrlen) == 0 else {
            throw TransportError.cannotListen(address: shown, reason: String(cString: strerror(errno)))
        }
    }
}

import CSocketPassing

#if canImport(Glibc)
import Glibc
#endif

/// UnixSocket holds the few unix-socket calls the handover needs.
enum UnixSocket {
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    static func connect(_ socket: Int32, to path: String) -> Bool {
        guard var address = address(path) else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// A listening unix socket at `path` (replacing a stale one), readable by the owner only.
    static func listen(at path: String) throws -> Int32 {
        guard var address = address(path) else { throw HandoverError("control socket path too long: \(path)") }
        let listening = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listening >= 0 else { throw HandoverError("cannot create the control socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(listening, F_SETFD, FD_CLOEXEC)
        _ = fcntl(listening, F_SETFL, fcntl(listening, F_GETFL) | O_NONBLOCK)
        unlink(path)
        let previous = umask(0o177)  // created 0600: no other user may take the socket over
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listening, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(previous)
        guard bound == 0, Glibc.listen(listening, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listening)
            throw HandoverError("cannot listen on \(path): \(reason)")
        }
        return listening
    }

    static func send(_ socket: Int32, _ text: String, descriptors: [Int32] = []) -> Bool {
        let bytes = Array(text.utf8)
        return csocket_send_with_descriptors(socket, bytes, UInt(bytes.count), descriptors, Int32(descriptors.count)) == bytes.count
    }
}

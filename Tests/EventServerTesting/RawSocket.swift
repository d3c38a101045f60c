#if canImport(Glibc)
import Glibc
#endif

/// RawSocket is a blocking loopback TCP client with no HTTP in it, for tests that must control
/// the bytes and the pace exactly: a fixed receive buffer holds a reply back in the server.
public final class RawSocket {
    private let socket: Int32

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` fixes SO_RCVBUF (the kernel does not grow
    /// it then); every receive waits 10 s at most.
    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(socket)
            throw TestFailure("connect failed: errno \(errno)")
        }
    }

    deinit {
        close(socket)
    }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw TestFailure("send failed: errno \(errno)")
        }
    }

    /// Receives into `buffer`: the bytes read, 0 at the server's close, or -1 (errno says why).
    public func receive(into buffer: inout [UInt8]) -> Int {
        recv(socket, &buffer, buffer.count, 0)
    }
}

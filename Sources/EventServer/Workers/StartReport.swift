#if canImport(Glibc)
import Glibc
#endif

/// StartReport is how a worker tells its master how its start went, over a pipe: one ACK byte
/// (0x06) once it listens, or the text of the error that stopped it. The master reads the pipe when the worker
/// has exited, and watches it for `R` meanwhile.
struct StartReport {
    /// The master's end.
    let readEnd: Int32
    /// The worker's end.
    let writeEnd: Int32

    static let listening: UInt8 = 0x06

    /// A new pipe, both ends closed on exec.
    static func open() throws(WorkerError) -> StartReport {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .forkFailed("pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return StartReport(readEnd: ends[0], writeEnd: ends[1])
    }

    /// In the worker: it listens.
    static func sendListening(on descriptor: Int32) {
        var byte = listening
        _ = write(descriptor, &byte, 1)
    }

    /// In the worker: why it could not start.
    static func sendFailure(_ message: String, on descriptor: Int32) {
        let bytes = Array(message.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// In the master: what is in the pipe now, without blocking (the worker may still run).
    static func drain(_ descriptor: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        return received
    }
}

import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// FileRegion is a byte range of an open file that a response sends straight from disk.
///
/// The server hands the descriptor to libevent (`evbuffer_add_file`), which sends it with
/// `sendfile` as the socket drains: the file is never loaded into memory and the loop never
/// waits for the whole transfer. A region that is never sent closes its descriptor when it is
/// released.
public final class FileRegion: Sendable {
    /// The descriptor until it is taken (then -1): a response may cross to a task's thread, and
    /// a lock makes "taken once" hold wherever it is read (one uncontended lock a file reply).
    private let descriptor: Mutex<Int32>
    /// The first byte to send.
    public let offset: Int
    /// How many bytes to send.
    public let count: Int

    /// Takes ownership of `descriptor`.
    public init(descriptor: Int32, offset: Int, count: Int) {
        self.descriptor = Mutex(descriptor)
        self.offset = offset
        self.count = count
    }

    deinit {
        if let descriptor = takeDescriptor() { close(descriptor) }
    }

    /// The bytes `offset..<offset + count` of the same file, taking over the descriptor; nil when
    /// it was already taken.
    public func region(offset: Int, count: Int) -> FileRegion? {
        takeDescriptor().map { FileRegion(descriptor: $0, offset: offset, count: count) }
    }

    /// Gives up ownership of the descriptor to the caller; nil when already taken.
    package func takeDescriptor() -> Int32? {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return nil }
            defer { descriptor = -1 }
            return descriptor
        }
    }
}

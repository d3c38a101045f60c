import CEvent

/// BatchedWrites writes the replies of one loop pass to their sockets together, once the pass's
/// I/O callbacks are done, rather than each in the callback that produced it.
///
/// Writing a reply within the pass that produced it spares evhttp's `EV_WRITE` add and delete
/// (`WriteThrough`). Writing each at once, between reads, cost more on the wall clock than it
/// saved: every write woke the client's `epoll_wait` on its own (perf showed the server's time
/// in `sock_def_readable`, waking the load generator, three times the C server's, which writes
/// all its replies in the next pass). Written together, the first wakes the client and
/// the rest find it awake. The writes run from an event at I/O priority that the pass's first
/// reply activates: libevent runs it after the I/O callbacks already queued, in the same pass,
/// before the change list reaches epoll; or at once, where `PassSplit` ends the pass early.
///
/// Against leaving the write to evhttp in the next pass, two full runs of both side by side
/// measured more requests in most cells and a lower p99 at 256 connections, a slightly higher
/// one at 50 (`Benchmarks/results/2026-11-30-batched-writes/`).
final class BatchedWrites {
    @exclusivity(unchecked) private var event: OpaquePointer?  // set once in init (its context is `self`)
    /// The connections whose reply waits, in the order the replies were made.
    @exclusivity(unchecked) private var queued = Batch()
    /// The batch being written; swapped with `queued`.
    @exclusivity(unchecked) private var writing = Batch()
    /// Set while `writing` is written: the batches are not swapped under that loop.
    @exclusivity(unchecked) private var isWriting = false

    /// The most replies a batch holds before it is written. With libevent's memory from the free
    /// lists (`CEventAllocator`) any bound from 4 to 64 measured level; with glibc's malloc, which
    /// memcheck and AddressSanitizer runs use (`EVENTSERVER_SYSTEM_ALLOCATOR=1`), a waiting reply
    /// keeps its request's allocations alive, and glibc's per-thread cache keeps 7 free chunks of
    /// a size, so more cost more (`Benchmarks/results/2026-11-30-batched-writes/`).
    static let limit = 7

    init(base: OpaquePointer) {
        event = event_new(base, -1, 0, batchedWritesCallback, Unmanaged.passUnretained(self).toOpaque())
        if let event { event_priority_set(event, EventLoop.ioPriority) }
    }

    deinit {
        if let event { event_free(event) }
    }

    /// Writes `connection`'s reply, which evhttp has just queued, at the end of this pass.
    func queue(_ connection: Connection) {
        // A full batch here is one filled while the last was written (see `writeAll`): this
        // reply is written at once instead.
        guard let event, queued.count < Self.limit else { return Self.flush(connection) }
        connection.awaitsWrite = true
        queued.append(connection)
        if queued.count == 1 {
            event_active(event, EV_TIMEOUT, 0)
        } else if queued.count == Self.limit {
            writeAll()  // the event then finds an empty batch, or the next one
        }
    }

    func writeAll() {
        // A write completes its reply, and evhttp could in principle produce a new one at once
        // (libevent 2.1 defers reading the next request, so today it does not): that reply
        // waits in `queued` for the event, which its queueing activated.
        guard !isWriting else { return }
        isWriting = true
        defer { isWriting = false }
        swap(&queued, &writing)  // a reply made while these are written goes to the next batch
        for index in 0..<writing.count {
            let connection = writing[index]
            guard connection.awaitsWrite else { continue }
            // Cleared first: the write may complete the reply, and evhttp free the connection.
            connection.awaitsWrite = false
            Self.flush(connection)
        }
        writing.removeAll()
    }

    private static func flush(_ connection: Connection) {
        if connection.answeredDirectly {
            DirectWrite.flush(connection)
        } else {
            WriteThrough.flush(connection.bufferevent)
        }
    }
}

/// Batch holds up to `BatchedWrites.limit` connections in storage allocated once. An array's
/// append and removal (uniqueness checks, generic range replacement) put code of their own on
/// the request path: more instructions and instruction-cache misses a request under callgrind
/// (`Benchmarks/results/2026-11-30-batched-writes/`).
private struct Batch: ~Copyable {
    private let slots = UnsafeMutablePointer<Connection>.allocate(capacity: BatchedWrites.limit)
    private(set) var count = 0

    subscript(index: Int) -> Connection { slots[index] }

    /// Adds `connection`; the caller keeps the count below `BatchedWrites.limit`.
    mutating func append(_ connection: Connection) {
        (slots + count).initialize(to: connection)
        count += 1
    }

    mutating func removeAll() {
        slots.deinitialize(count: count)
        count = 0
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}

private func batchedWritesCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // The transport owns the batch for the loop's life: no retain around the call.
    Unmanaged<BatchedWrites>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.writeAll() }
}

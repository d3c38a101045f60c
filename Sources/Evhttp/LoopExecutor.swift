import CEvent
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// LoopExecutor runs Swift concurrency jobs on the event loop's own thread, between I/O
/// callbacks, the way swift-nio's event loops serve as executors.
///
/// Async handlers run as tasks that prefer this executor, so their code and every continuation
/// (a timer's, a database driver's resumed on its own thread) come back to the loop thread:
/// loop-confined state needs no lock. The job queue is the one cross-thread hand-off; a job
/// enqueued while the queue is idle wakes the loop once, through a pipe from another thread or
/// `event_active` from the loop thread itself (no system call).
///
/// It is a task executor only, and runs its jobs as one: nonisolated async code (a handler, the
/// functions it awaits, a continuation's resumption) then continues on it inline. Were it also
/// the jobs' serial executor, every step into nonisolated code would differ from it and go
/// through the queue again (`swift_task_switch`), several hops a request
/// (`Benchmarks/results/2026-12-06-loop-clock/`).
///
/// Its loop owns it and closes it when it goes; a task that prefers it retains it
/// (`Task(executorPreference:)`), so a task that outlives the loop (a sleep still pending at the
/// stop) finds a closed executor, which drops its jobs, never a freed one (`LoopExecutorTests`).
public final class LoopExecutor: TaskExecutor, @unchecked Sendable {
    private struct Queue: ~Copyable {
        var jobs: [UnownedJob] = []
        var wakePending = false
        var closed = false
        var pipeWakes = 0
    }

    private let queue = Mutex(Queue())
    /// The pipe's read end (watched by the loop) and write end (written by other threads).
    private let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let loopThread: pthread_t
    // Set once in `attach`, read only on the loop thread afterwards.
    private nonisolated(unsafe) var wakeEvent: OpaquePointer?

    init() throws(TransportError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw .eventLoop("cannot create the executor's wake pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
        loopThread = pthread_self()
    }

    /// Starts running jobs on `base` (created on the loop thread, like the loop).
    func attach(to base: OpaquePointer) throws(TransportError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let event = event_new(base, wakeDescriptor, Int16(EV_READ | EV_PERSIST), runJobsCallback, context),
            event_add(event, nil) == 0
        else { throw .eventLoop("cannot watch the executor's wake descriptor") }
        wakeEvent = event
    }

    /// Stops taking jobs (the loop is going away); jobs enqueued later are dropped. Runs on the
    /// loop thread. The write end is closed under the queue's lock, the lock other threads write
    /// under: none can be between its check of `closed` and its `write` when the descriptor goes
    /// (and is perhaps reused by another open).
    func close() {
        let closing = queue.withLock { queue -> Bool in
            guard !queue.closed else { return false }  // once: the numbers may be reused by now
            queue.closed = true
            Glibc.close(wakeWriter)
            return true
        }
        guard closing else { return }
        if let wakeEvent { event_free(wakeEvent) }
        wakeEvent = nil
        Glibc.close(wakeDescriptor)  // read only on this thread
    }

    /// How many times another thread woke the loop through the pipe (a system call on each
    /// side): what `EventLoop.sleep` saves against `Task.sleep`.
    public var pipeWakes: Int { queue.withLock { $0.pipeWakes } }

    /// Whether the caller runs on the loop's thread.
    public var isLoopThread: Bool { pthread_equal(pthread_self(), loopThread) != 0 }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let onLoopThread = isLoopThread
        let mustActivate = queue.withLock { queue -> Bool in
            guard !queue.closed else { return false }
            queue.jobs.append(unowned)
            guard !queue.wakePending else { return false }
            queue.wakePending = true
            if onLoopThread { return true }
            // Under the lock, so `close()` cannot close the descriptor between the check of
            // `closed` and this write. One non-blocking byte: the lock is held for a system call.
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
            queue.pipeWakes += 1
            return false
        }
        // On the loop thread, where `close()` runs too: no system call, and no race with it.
        if mustActivate, let wakeEvent { event_active(wakeEvent, EV_READ, 0) }
    }

    fileprivate func runJobs() {
        var bytes = (UInt64(0), UInt64(0))  // one byte per wake; EAGAIN when woken by event_active
        _ = withUnsafeMutableBytes(of: &bytes) { read(wakeDescriptor, $0.baseAddress, $0.count) }
        let jobs = queue.withLock { queue -> [UnownedJob] in
            queue.wakePending = false
            var taken: [UnownedJob] = []
            swap(&taken, &queue.jobs)
            return taken
        }
        for job in jobs {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

private func runJobsCallback(_: Int32, _: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<LoopExecutor>.fromOpaque(context).takeUnretainedValue().runJobs()
}

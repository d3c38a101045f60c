import CEvent
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The loop whose thread this is: set while an `EventLoop` lives on it. A thread has at most one.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "cannot create a thread-local key")
    return key
}()

extension EventLoop {
    /// The loop that runs on the calling thread; nil on any other thread (the global executor's
    /// threads, a database driver's).
    public static var current: EventLoop? {
        guard let pointer = pthread_getspecific(currentLoopKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(pointer).takeUnretainedValue()
    }

    func becomeCurrent() {
        pthread_setspecific(currentLoopKey, Unmanaged.passUnretained(self).toOpaque())
    }

    func resignCurrent() {
        if pthread_getspecific(currentLoopKey) == Unmanaged.passUnretained(self).toOpaque() {
            pthread_setspecific(currentLoopKey, nil)
        }
    }

    /// Suspends the calling task for `duration` on a libevent timer of this loop: the timer
    /// fires on the loop thread and resumes the task there, on the loop's executor — no other
    /// thread, no wake-up pipe (`Task.sleep` goes through the global executor's timer thread).
    /// Call it on the loop thread (a task that prefers `executor`); throws `CancellationError`
    /// when the task is cancelled first, or when the loop ends before the time is up.
    public func sleep(for duration: Duration) async throws {
        precondition(executor.isLoopThread, "EventLoop.sleep runs on its loop's thread")
        try Task.checkCancellation()
        let sleep = LoopSleep()
        let executor = self.executor
        try await withTaskCancellationHandler {
            // Unchecked: `LoopSleep` takes the continuation under its lock, so it is resumed once.
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                sleep.start(on: self, after: duration, continuation)
            }
        } onCancel: {
            sleep.cancel(onLoopThread: executor.isLoopThread)
        }
    }

    /// How many sleeps wait on this loop's timers now.
    var pendingSleepCount: Int {
        var count = 0
        var sleep = pendingSleeps
        while let current = sleep {
            count += 1
            sleep = current.next
        }
        return count
    }

    /// Ends the sleeps still pending (the loop is going away): their tasks get `CancellationError`.
    func cancelPendingSleeps() {
        var sleep = pendingSleeps
        pendingSleeps = nil
        while let current = sleep {
            sleep = current.next
            current.cancel(onLoopThread: true)
        }
    }
}

/// LoopSleep is one `EventLoop.sleep`: a one-shot timer event and the continuation it resumes.
///
/// Started, fired and cancelled on the loop thread, except a cancellation from another thread
/// (a task cancelled elsewhere), which only takes the continuation: the timer then fires
/// harmlessly and is freed. The continuation is taken under a lock, so it is resumed once.
final class LoopSleep: Sendable {
    private struct State: ~Copyable {
        var continuation: UnsafeContinuation<Void, any Error>?
        var cancelled = false
    }

    private let state = Mutex(State())
    // Loop-thread only: the event, and the loop that lists this sleep as pending, in a list
    // linked through the sleeps themselves (O(1) in and out, no hashing).
    private nonisolated(unsafe) var event: OpaquePointer?
    private nonisolated(unsafe) weak var loop: EventLoop?
    fileprivate nonisolated(unsafe) var next: LoopSleep?
    private nonisolated(unsafe) unowned(unsafe) var previous: LoopSleep?  // alive: it holds this one

    func start(on loop: EventLoop, after duration: Duration, _ continuation: UnsafeContinuation<Void, any Error>) {
        let alreadyCancelled = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.continuation = continuation
            return false
        }
        if alreadyCancelled { return continuation.resume(throwing: CancellationError()) }
        // The event holds a reference to this sleep until it fires or is cancelled.
        let argument = Unmanaged.passRetained(self).toOpaque()
        guard let event = cevent_timer_new(loop.base, loopSleepFired, argument) else {
            Unmanaged<LoopSleep>.fromOpaque(argument).release()
            return finish(throwing: TransportError.eventLoop("cannot create a timer"))
        }
        self.event = event
        self.loop = loop
        next = loop.pendingSleeps
        next?.previous = self
        loop.pendingSleeps = self
        var timeout = Self.timeval(of: duration)
        if event_add(event, &timeout) != 0 { cancel(onLoopThread: true) }
    }

    /// The timer fired (loop thread): the task resumes, unless it was cancelled meanwhile.
    fileprivate func fired() {
        freeEvent()
        finish(throwing: nil)
    }

    func cancel(onLoopThread: Bool) {
        let continuation = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            state.cancelled = true
            defer { state.continuation = nil }
            return state.continuation
        }
        if onLoopThread && event != nil {
            event_del(event)
            freeEvent()
            Unmanaged.passUnretained(self).release()  // the event's reference
        }
        continuation?.resume(throwing: CancellationError())
    }

    private func finish(throwing error: (any Error)?) {
        let continuation = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            defer { state.continuation = nil }
            return state.continuation
        }
        if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
    }

    private func freeEvent() {
        guard let event else { return }
        event_free(event)
        self.event = nil
        // Out of the loop's list (a loop going away has detached the list already).
        next?.previous = previous
        if let previous { previous.next = next } else if loop?.pendingSleeps === self { loop?.pendingSleeps = next }
        previous = nil
        next = nil
    }

    private static func timeval(of duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 && (seconds > 0 || attoseconds > 0) else { return Glibc.timeval(tv_sec: 0, tv_usec: 0) }
        // Rounded up to the microsecond; libevent then times it on its monotonic clock, which
        // it may read coarsely (1 ms steps), so a sleep can end up to that much short.
        let microseconds = (attoseconds + 999_999_999_999) / 1_000_000_000_000
        return Glibc.timeval(tv_sec: Int(seconds) + Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
    }
}

private func loopSleepFired(_: Int32, _: Int16, _ argument: UnsafeMutableRawPointer?) {
    guard let argument else { return }
    Unmanaged<LoopSleep>.fromOpaque(argument).takeRetainedValue().fired()
}

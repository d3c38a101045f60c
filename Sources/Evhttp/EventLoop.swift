import CEvent
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// EventLoop owns one libevent `event_base` and the signal and timer events added to it.
///
/// Loop-confined. Signal events get a higher priority than I/O, so a maintenance signal takes
/// effect before the requests that are ready in the same loop pass are dispatched.
public final class EventLoop {
    let base: OpaquePointer
    /// Runs async handlers' tasks on this loop's thread (`Task(executorPreference:)`).
    public let executor: LoopExecutor
    private var events: [OpaquePointer] = []
    private var actions: [EventAction] = []
    /// The first of the sleeps waiting on this loop's timers (`sleep(for:)`, a list linked
    /// through them), ended if the loop goes first.
    var pendingSleeps: LoopSleep?

    /// The priority of signals and of the transport's own bookkeeping: ahead of I/O.
    static let urgentPriority: Int32 = 0
    /// The priority evhttp's I/O events get by default (the middle of `priorityCount`).
    static let ioPriority: Int32 = 1
    private static let priorityCount: Int32 = 2

    /// A loop whose signal events run ahead of I/O; throws when libevent cannot create it.
    public init() throws(TransportError) {
        guard let config = event_config_new() else { throw TransportError.eventLoop("event_config_new failed") }
        defer { event_config_free(config) }
        // The change list batches epoll_ctl calls: a bufferevent that turns from reading to
        // writing and back within one pass costs no system call.
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        // One thread per loop, by design: no lock is ever needed.
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_NOLOCK.rawValue))
        guard let base = event_base_new_with_config(config) else {
            throw TransportError.eventLoop("event_base_new_with_config failed")
        }
        self.base = base
        guard event_base_priority_init(base, Self.priorityCount) == 0 else {
            event_base_free(base)
            throw TransportError.eventLoop("event_base_priority_init failed")
        }
        do {
            executor = try LoopExecutor()
            try executor.attach(to: base)
        } catch {
            event_base_free(base)
            throw error
        }
        becomeCurrent()
    }

    deinit {
        resignCurrent()
        cancelPendingSleeps()
        executor.close()
        for event in events { event_free(event) }
        event_base_free(base)
    }

    /// Runs `action` on the loop each time `signal` arrives, ahead of pending I/O.
    public func onSignal(_ signal: Int32, _ action: @escaping () -> Void) throws(TransportError) {
        let box = EventAction(action)
        guard let event = cevent_signal_new(base, signal, eventActionTrampoline, box.pointer) else {
            throw TransportError.eventLoop("cannot create the event for signal \(signal)")
        }
        event_priority_set(event, Self.urgentPriority)
        try add(event, box, timeout: nil)
        // A parent may have started us with the signal blocked (test runners and some
        // supervisors do); blocked, it would never reach libevent's handler.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, signal)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    /// Runs `action` once, `seconds` from now.
    public func after(seconds: Int, _ action: @escaping () -> Void) throws(TransportError) {
        try after(milliseconds: seconds * 1000, action)
    }

    /// Runs `action` once, `milliseconds` from now.
    public func after(milliseconds: Int, _ action: @escaping () -> Void) throws(TransportError) {
        let box = EventAction(action)
        guard let event = cevent_timer_new(base, eventActionTrampoline, box.pointer) else {
            throw TransportError.eventLoop("cannot create a timer")
        }
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try add(event, box, timeout: &timeout)
    }

    /// Runs `action` every `seconds`, until the loop ends.
    public func every(seconds: Int, _ action: @escaping () -> Void) throws(TransportError) {
        let box = EventAction(action)
        guard let event = event_new(base, -1, Int16(EV_PERSIST), eventActionTrampoline, box.pointer) else {
            throw TransportError.eventLoop("cannot create a timer")
        }
        var interval = timeval(tv_sec: seconds, tv_usec: 0)
        try add(event, box, timeout: &interval)
    }

    /// Runs `action` each time `descriptor` has bytes to read (or reached its end), until the
    /// returned watch is cancelled; cancel it before closing the descriptor.
    public func onReadable(_ descriptor: Int32, _ action: @escaping () -> Void) throws(TransportError) -> ReadableWatch {
        let box = EventAction(action)
        guard let event = event_new(base, descriptor, Int16(EV_READ | EV_PERSIST), eventActionTrampoline, box.pointer) else {
            throw TransportError.eventLoop("cannot watch descriptor \(descriptor)")
        }
        try add(event, box, timeout: nil)
        return ReadableWatch(event: event)
    }

    /// In a forked child, detaches this loop from the kernel objects it shares with the parent
    /// (epoll instance, signal pipe) and drops its events, so the child's own loop can own the
    /// signals. The object itself stays allocated: the child may be inside one of its callbacks.
    public func detachAfterFork() {
        event_reinit(base)
        for event in events { event_del(event) }
    }

    /// Runs until `stop()` or until nothing is left to wait for.
    public func run() throws(TransportError) {
        guard event_base_dispatch(base) >= 0 else { throw TransportError.eventLoop("event_base_dispatch failed") }
    }

    /// Makes `run()` return after the callback that is running now.
    public func stop() {
        event_base_loopbreak(base)
    }

    /// Makes libevent poll for new events after the callback that is running now, before the
    /// rest of the events already ready (which stay queued, in order).
    func pollBeforeNextCallback() {
        event_base_loopcontinue(base)
    }

    /// The loop's cached time of the current pass, in Unix seconds: no system call.
    public var cachedUnixSeconds: Int {
        var now = timeval()
        event_base_gettimeofday_cached(base, &now)
        return now.tv_sec
    }

    private func add(_ event: OpaquePointer, _ box: EventAction, timeout: UnsafePointer<timeval>?) throws(TransportError) {
        events.append(event)
        actions.append(box)
        guard event_add(event, timeout) == 0 else { throw TransportError.eventLoop("event_add failed") }
    }
}

/// ReadableWatch is a descriptor being watched by `EventLoop.onReadable`.
public final class ReadableWatch {
    private let event: OpaquePointer

    fileprivate init(event: OpaquePointer) {
        self.event = event
    }

    /// Stops watching; the loop frees the event when it ends.
    public func cancel() {
        event_del(event)
    }
}

/// EventAction carries a Swift closure through libevent's `void *` argument.
private final class EventAction {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

private func eventActionTrampoline(_: Int32, _: Int16, _ argument: UnsafeMutableRawPointer?) {
    guard let argument else { return }
    Unmanaged<EventAction>.fromOpaque(argument).takeUnretainedValue().run()
}

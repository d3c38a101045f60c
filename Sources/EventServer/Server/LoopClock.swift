internal import Evhttp

/// LoopClock is a `Clock` whose `sleep` waits on the event loop's own timer.
///
/// An async handler runs on the loop's thread; `Task.sleep` parks it on the global executor's
/// timer thread, which then wakes the loop through a pipe to resume it. `LoopClock().sleep`
/// adds a libevent timer to the loop instead: it fires between I/O callbacks and resumes the
/// handler on the loop's thread, with no other thread and no system call of its own
/// (`Benchmarks/results/2026-12-06-loop-clock/`). Called anywhere but on a loop's thread, it
/// sleeps as `ContinuousClock` does. Its instants are `ContinuousClock`'s.
///
/// ```swift
/// try routes.get("/slow") { _ in
///     try await LoopClock().sleep(for: .milliseconds(50))   // cancelled if the client hangs up
///     return .text("done\n")
/// }
/// ```
public struct LoopClock: Clock {
    public typealias Duration = Swift.Duration
    public typealias Instant = ContinuousClock.Instant

    /// A clock for the loop of whichever thread sleeps on it: it holds nothing.
    public init() {}

    public var now: Instant { ContinuousClock.now }

    /// libevent keeps timers to the microsecond.
    public var minimumResolution: Duration { .microseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        guard let loop = EventLoop.current else {
            return try await ContinuousClock().sleep(until: deadline, tolerance: tolerance)
        }
        try await loop.sleep(for: ContinuousClock.now.duration(to: deadline))
    }
}

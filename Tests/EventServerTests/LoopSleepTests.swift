@testable import Evhttp
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `EventLoop.sleep` (Evhttp/LoopSleep.swift): a task that prefers the loop's executor sleeps on
/// a libevent timer and resumes on the loop thread without waking it from another thread.
@Suite struct LoopSleepTests {
    /// Runs `body` as a task on a loop of its own thread; returns its result and the loop's
    /// executor's pipe wakes, once the task has ended and the loop stopped.
    static func onLoop<T: Sendable>(
        _ body: @escaping @Sendable (EventLoop) async throws -> T
    ) throws -> (result: Result<T, any Error>, pipeWakes: Int) {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        let thread = Thread {
            guard let loop = try? EventLoop() else {
                done.signal()
                return
            }
            // Bounded: whatever the task does, the loop stops after 20 s.
            try? loop.after(seconds: 20) { loop.stop() }
            let unsafeLoop = UnsafeLoop(loop)
            let executor = loop.executor
            Task(executorPreference: executor) {
                let result: Result<T, any Error>
                do { result = .success(try await body(unsafeLoop.loop)) } catch { result = .failure(error) }
                outcome.set(result, executor.pipeWakes)
                unsafeLoop.loop.stop()
            }
            try? loop.run()
            done.signal()
        }
        thread.start()
        done.wait()
        return try #require(outcome.value)
    }

    @Test func aLoopSleepResumesOnTheLoopThreadWithNoPipeWake() throws {
        let (result, wakes) = try Self.onLoop { loop in
            var onLoopThread = true
            let start = ContinuousClock.now
            for _ in 0..<5 {
                try await loop.sleep(for: .milliseconds(20))
                onLoopThread = onLoopThread && loop.executor.isLoopThread
            }
            return (onLoopThread, start.duration(to: .now))
        }
        let (onLoopThread, elapsed) = try result.get()
        #expect(onLoopThread)
        // libevent may time with a coarse monotonic clock (1 ms steps): each up to 1 ms short.
        #expect(elapsed >= .milliseconds(95), "five sleeps of 20 ms ended after \(elapsed)")
        #expect(wakes == 0, "the loop was woken from another thread \(wakes) times")
    }

    /// The contrast that makes the check above mean something: `Task.sleep` resumes through the
    /// global executor's timer, which wakes the loop through its pipe.
    @Test func taskSleepWakesTheLoopThroughThePipe() throws {
        let (result, wakes) = try Self.onLoop { _ in
            for _ in 0..<5 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try result.get()
        #expect(wakes >= 5)
    }

    @Test func cancellingASleepingTaskEndsItsSleepAtOnce() throws {
        let (result, _) = try Self.onLoop { loop in
            let unsafeLoop = UnsafeLoop(loop)
            let sleeper = Task(executorPreference: loop.executor) {
                try await LoopClockProbe.sleep(unsafeLoop, .seconds(30))
            }
            try await loop.sleep(for: .milliseconds(10))
            let start = ContinuousClock.now
            sleeper.cancel()
            let outcome = await sleeper.result
            return (outcome, start.duration(to: .now))
        }
        let (outcome, elapsed) = try result.get()
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(elapsed < .seconds(10), "the cancelled sleep went on for \(elapsed)")
    }

    /// The loop lists its pending sleeps (to end them if it goes first): in while they wait, out
    /// once they end, whichever way.
    @Test func pendingSleepsAreListedUntilTheyEnd() throws {
        let (result, _) = try Self.onLoop { loop in
            let unsafeLoop = UnsafeLoop(loop)
            let sleepers = (0..<3).map { _ in
                Task(executorPreference: loop.executor) { try await LoopClockProbe.sleep(unsafeLoop, .seconds(30)) }
            }
            let short = Task(executorPreference: loop.executor) { try await LoopClockProbe.sleep(unsafeLoop, .milliseconds(300)) }
            // Counted once all four wait, a loop pass at a time (a fixed wait could outlast the
            // short sleep on a loaded machine, as it did once in CI).
            var whileWaiting = loop.pendingSleepCount
            for _ in 0..<10_000 where whileWaiting < 4 {
                try await loop.sleep(for: .zero)
                whileWaiting = loop.pendingSleepCount
            }
            try await short.value
            let afterOneFired = loop.pendingSleepCount
            sleepers[1].cancel()
            _ = await sleepers[1].result
            let afterOneCancelled = loop.pendingSleepCount
            for sleeper in sleepers { sleeper.cancel() }
            for sleeper in sleepers { _ = await sleeper.result }
            return [whileWaiting, afterOneFired, afterOneCancelled, loop.pendingSleepCount]
        }
        #expect(try result.get() == [4, 3, 2, 0])
    }

    @Test func aDurationOfZeroOrLessResumesAtTheNextPass() throws {
        let (result, _) = try Self.onLoop { loop in
            try await loop.sleep(for: .zero)
            try await loop.sleep(for: .milliseconds(-5))
            return true
        }
        #expect(try result.get())
    }
}

/// Sleeps on `loop` from a task of its own (the loop is confined to its thread; the task runs there).
private enum LoopClockProbe {
    static func sleep(_ loop: UnsafeLoop, _ duration: Duration) async throws {
        try await loop.loop.sleep(for: duration)
    }
}

/// The loop, carried into tasks that run on its own thread only.
private struct UnsafeLoop: @unchecked Sendable {
    let loop: EventLoop
    init(_ loop: EventLoop) { self.loop = loop }
}

/// A result set once by the loop thread and read by the test's.
private final class Outcome<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (Result<T, any Error>, Int)?
    var value: (result: Result<T, any Error>, pipeWakes: Int)? { lock.withLock { stored.map { ($0.0, $0.1) } } }
    func set(_ result: Result<T, any Error>, _ wakes: Int) { lock.withLock { stored = (result, wakes) } }
}

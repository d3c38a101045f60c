@testable import Evhttp
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The loop's executor (Evhttp/LoopExecutor.swift): its one cross-thread hand-off and its lifetime.
@Suite struct LoopExecutorTests {
    /// Other threads enqueue while the loop runs their jobs, then the loop thread closes the
    /// executor and at once opens a pipe, which takes the closed pipe's descriptor numbers: a
    /// thread that checked `closed` before the close and wrote after it would write into the new
    /// pipe. The window is a few instructions wide, so many rounds; the fixed code has none.
    @Test func enqueuesRacingACloseNeverWriteToAReusedDescriptor() throws {
        for _ in 0..<100 {
            let stop = ManagedFlag()
            let strayBytes = ManagedFlag()
            let executorReady = DispatchSemaphore(value: 0)
            let box = ExecutorBox()
            let loopThread = Thread {
                guard let loop = try? EventLoop() else { return }
                box.executor = loop.executor
                executorReady.signal()
                try? loop.after(milliseconds: 2) {
                    loop.executor.close()
                    var reused: [Int32] = [-1, -1]
                    guard pipe(&reused) == 0 else { return loop.stop() }
                    _ = fcntl(reused[0], F_SETFL, fcntl(reused[0], F_GETFL) | O_NONBLOCK)
                    usleep(2_000)  // the enqueuing threads go on meanwhile
                    var byte: UInt8 = 0
                    if read(reused[0], &byte, 1) == 1 { strayBytes.set() }
                    close(reused[0])
                    close(reused[1])
                    stop.set()
                    loop.stop()
                }
                try? loop.run()
            }
            loopThread.start()
            executorReady.wait()
            let executor = try #require(box.executor)
            let group = DispatchGroup()
            for _ in 0..<3 {
                group.enter()
                Thread.detachNewThread {
                    while !stop.isSet { Task(executorPreference: executor) {} }
                    group.leave()
                }
            }
            group.wait()
            #expect(!strayBytes.isSet, "a wake byte reached a descriptor the executor had closed")
        }
    }

    @Test func aLoopsExecutorGoesWithItUnlessATaskHoldsIt() throws {
        weak var released: LoopExecutor?
        do {
            let loop = try EventLoop()
            released = loop.executor
        }
        #expect(released == nil, "nothing keeps a finished loop's executor")

        weak var held: LoopExecutor?
        do {
            let loop = try EventLoop()
            held = loop.executor
            Task(executorPreference: loop.executor) {}  // never runs: the loop never runs
        }
        #expect(held != nil, "a task that prefers the executor keeps it")
    }
}

/// The executor the loop thread made, handed to the test's thread.
private final class ExecutorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: LoopExecutor?
    var executor: LoopExecutor? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A flag set once by one thread and read by others.
private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

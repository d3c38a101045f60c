/// LoopBound carries a loop-confined value into a task that runs on the loop's executor.
///
/// Tasks must be `Sendable` to cross into `Task { }`; these values never leave the loop thread,
/// which `value` checks (as swift-nio's `NIOLoopBound` does), so the `@unchecked` is checked
/// at run time instead of by the compiler.
struct LoopBound<Value>: @unchecked Sendable {
    private let wrapped: Value
    private let executor: LoopExecutor

    init(_ value: Value, on executor: LoopExecutor) {
        precondition(executor.isLoopThread, "LoopBound created off the loop thread")
        wrapped = value
        self.executor = executor
    }

    var value: Value {
        precondition(executor.isLoopThread, "LoopBound read off the loop thread")
        return wrapped
    }
}

/// PassSplit makes libevent poll again once a loop pass has answered as many requests as half
/// the open connections, before it answers the rest of the requests already read.
///
/// Replies are written within the pass that made them (`BatchedWrites`), so under load a pass
/// holds nearly every connection. A request that arrives just after the poll waits for the whole
/// next pass: at 50 connections the trace in `Benchmarks/results/p99-50-2026-11-30/pass-trace/`
/// found 4.4 % of requests waiting two passes (830 µs each), which set the p99. Polling again
/// halfway halves that wait. The extra poll reports every socket still readable, so its cost
/// grows with the open connections; splitting at half of them keeps it the same share of a pass
/// at any load, where libevent's own fixed bound (`event_config_set_max_dispatch_interval`)
/// helped at 50 connections and cost 24–39 % of the requests at 256 (`Benchmarks/README.md`).
///
/// Requests are counted since the last split, not since the last poll: libevent does not say
/// when it polls, and its cached time comes from the 4 ms coarse clock. A split that falls on a
/// pass's last callback costs nothing, since libevent polls there anyway.
struct PassSplit {
    /// Below this many requests a pass is short (about 15 µs a request here) and is not split.
    static let minimum = 16
    private var answeredSinceSplit = 0

    /// Counts one answered request; true when the pass should poll before the next callback.
    mutating func answeredOne(openConnections: Int) -> Bool {
        answeredSinceSplit += 1
        guard answeredSinceSplit >= max(Self.minimum, openConnections / 2) else { return false }
        answeredSinceSplit = 0
        return true
    }
}

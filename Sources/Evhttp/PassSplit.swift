/// PassSplit makes libevent poll again once a loop pass has answered as many requests as half
/// the open connections, before it answers the rest of the requests already read.
///
/// Replies are written within the pass that made them (`BatchedWrites`), so under load a pass
/// holds nearly every connection. A request that arrives just after the poll waits for the whole
/// next pass, and those two-pass waits set the p99. Polled again halfway, a late request joins
/// the queue after half a pass: a lower p99 for a small share of the throughput at 50
/// connections, none at 256 (the trace and the runs: `Benchmarks/results/2026-12-01-pass-split/`).
///
/// The extra poll reports every socket still readable, so its cost grows with the connections:
/// half of them between polls keeps it a fixed share of a pass, where libevent's own fixed bound
/// (`event_config_set_max_dispatch_interval`) cost a large share of the requests at 256
/// connections (same folder, `dispatch-bound-256.txt`).
///
/// Requests are counted since the last split, not since the last poll: libevent does not say
/// when it polls, and its cached time comes from the coarse clock (milliseconds apart). A split
/// that falls on a pass's last callback costs nothing, since libevent polls there anyway.
struct PassSplit {
    /// The fewest requests between splits: a split costs a poll, and the wait behind this many
    /// requests (a third of a loaded pass in the trace) is not worth shortening.
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

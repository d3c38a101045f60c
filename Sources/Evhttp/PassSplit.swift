/// PassSplit makes libevent poll again once a loop pass has answered as many requests as half
/// the open connections, before it answers the rest of the requests already read.
///
/// Replies are written within the pass that made them (`BatchedWrites`), so under load a pass
/// holds nearly every connection. A request that arrives just after the poll waits for the whole
/// next pass: in a trace at 50 connections 6.5 % of requests waited two passes (743 µs each),
/// which set the p99 (`Benchmarks/results/pass-split-2026-12-01/trace-summary.txt`). Polled again
/// halfway, a late request joins the queue after half a pass: cycle p99 1,572 → 1,301 µs (its
/// p50 rose, 761 → 813, as requests now queue behind those read before them), for 0.86–1.08×
/// the requests at 50 connections (median 0.95×) and no change at 256 (`Benchmarks/README.md`,
/// "A loop pass split").
///
/// The extra poll reports every socket still readable, so its cost grows with the connections:
/// half of them between polls keeps it a fixed share of a pass, where libevent's own fixed bound
/// (`event_config_set_max_dispatch_interval`) of 16 or 32 cost 31 % or 24 % of the requests at
/// 256 (`dispatch-bound-256.txt`, medians of the per-round ratios to no bound).
///
/// Requests are counted since the last split, not since the last poll: libevent does not say
/// when it polls, and its cached time comes from the coarse clock (4 ms steps here). A split
/// that falls on a pass's last callback costs nothing, since libevent polls there anyway.
struct PassSplit {
    /// The fewest requests between splits: a split costs a poll, and the wait of 16 requests
    /// (about 250 µs here: the trace's passes answered 47 in 743 µs) is not worth shortening.
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

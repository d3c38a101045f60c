import CoreMetrics
import Testing
@testable import EventServer

@Suite struct ModuleMetricsTests {
    /// What a module records through swift-metrics lands in the text `/metrics` appends.
    @Test func countersTimersAndGaugesReachTheExposition() {
        ModuleMetrics.bootstrap()
        Counter(label: "module_test_jobs_total", dimensions: [("kind", "export")]).increment(by: 3)
        Gauge(label: "module_test_queue_depth").record(7)
        Timer(label: "module_test_query_seconds").recordMilliseconds(12)
        let text = String(decoding: ModuleMetrics.exposition(), as: UTF8.self)
        #expect(text.contains("# TYPE module_test_jobs_total counter\nmodule_test_jobs_total{kind=\"export\"} 3"))
        #expect(text.contains("module_test_queue_depth 7"))
        #expect(text.contains("module_test_query_seconds_count 1"))
    }
}

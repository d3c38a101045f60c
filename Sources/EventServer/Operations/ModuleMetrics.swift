import CoreMetrics
import Prometheus
import Synchronization

/// ModuleMetrics is where route modules' own metrics go: the server bootstraps swift-metrics
/// with a Prometheus registry, so a module's `Counter(label:)`, `Timer` or `Gauge` appears in
/// `GET /metrics` after the server's own series.
///
/// The server's own counters stay plain integers on the loop; only what modules record goes
/// through swift-metrics (whose handlers lock), so a module that records nothing costs nothing.
public enum ModuleMetrics {
    /// Bootstrapped on first use, once per process (swift-metrics allows one bootstrap).
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
    /// Set by `bootstrap()`: `/metrics` must not touch `registry` (bootstrapping it) when the
    /// application chose its own swift-metrics backend.
    private static let isBootstrapped = Atomic(false)

    /// Points swift-metrics at the registry `/metrics` shows; the server calls it when built
    /// (unless `ServerConfiguration.bootstrapsMetrics` is false). Idempotent.
    public static func bootstrap() {
        _ = registry
        isBootstrapped.store(true, ordering: .releasing)
    }

    /// The modules' series in the Prometheus text format; empty until `bootstrap()`.
    public static func exposition() -> [UInt8] {
        guard isBootstrapped.load(ordering: .acquiring) else { return [] }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

import CoreMetrics
import Prometheus

/// Every metric the gateway records, named once here so the names in
/// dashboards and in docs/operations.md cannot drift apart.
///
/// Exported in Prometheus text format at `/metrics`. Labels only take
/// values from bounded sets (known MCP methods, catalog tool and connector
/// names, fixed outcomes), so a client cannot grow the series without end.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public static let upstreamDurationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["gatehouse_upstream_duration_seconds"] = Self.upstreamDurationBuckets
        self.factory = factory
    }

    /// One request to `/mcp`, by JSON-RPC method and HTTP status.
    public func request(method: String, status: Int) {
        factory.makeCounter(
            label: "gatehouse_mcp_requests_total", dimensions: [("method", method), ("status", String(status))]
        ).increment(by: 1)
    }

    /// One tool call, by how it ended.
    public func toolCall(tool: String, connector: String, outcome: String) {
        factory.makeCounter(
            label: "gatehouse_tool_calls_total", dimensions: [("tool", tool), ("connector", connector), ("outcome", outcome)]
        ).increment(by: 1)
    }

    /// Time spent calling one connector's API for one tool call.
    public func upstreamDuration(connector: String, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        factory.makeTimer(label: "gatehouse_upstream_duration_seconds", dimensions: [("connector", connector)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Upstream attempts beyond the first.
    func retries(connector: String, count: Int) {
        factory.makeCounter(label: "gatehouse_upstream_retries_total", dimensions: [("connector", connector)])
            .increment(by: Int64(count))
    }

    func reload(outcome: String) {
        factory.makeCounter(label: "gatehouse_reloads_total", dimensions: [("outcome", outcome)]).increment(by: 1)
    }

    func toolsLoaded(_ count: Int) {
        factory.makeMeter(label: "gatehouse_tools_loaded", dimensions: []).set(Int64(count))
    }

    /// One tool added, removed or changed by a reload.
    func toolChange(_ kind: String) {
        factory.makeCounter(label: "gatehouse_tool_changes_total", dimensions: [("change", kind)]).increment(by: 1)
    }

    /// Tools the lock keeps at their locked definition or keeps out.
    func toolsHeldByLock(_ count: Int) {
        factory.makeMeter(label: "gatehouse_tools_held_by_lock", dimensions: []).set(Int64(count))
    }

    /// An answer that did not match a lenient tool's `output_schema`.
    func outputSchemaMismatch(tool: String, connector: String) {
        factory.makeCounter(
            label: "gatehouse_output_schema_mismatches_total", dimensions: [("tool", tool), ("connector", connector)]
        ).increment(by: 1)
    }

    /// A confirmation asked before a destructive call, by how it ended.
    func confirmation(_ outcome: String) {
        factory.makeCounter(label: "gatehouse_confirmations_total", dimensions: [("outcome", outcome)]).increment(by: 1)
    }

    func authorizationEvent(_ kind: String) {
        factory.makeCounter(label: "gatehouse_authorization_events_total", dimensions: [("event", kind)]).increment(by: 1)
    }

    func authFailure(reason: String) {
        factory.makeCounter(label: "gatehouse_auth_failures_total", dimensions: [("reason", reason)]).increment(by: 1)
    }

    /// The Prometheus text exposition of everything above.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return buffer
    }

    /// Methods a client could send are unbounded; only the protocol's own
    /// name their series.
    static let knownMethods: Set<String> = [
        "initialize", "ping", "tools/list", "tools/call", "server/discover", "subscriptions/listen", "resources/list",
        "resources/templates/list", "resources/read", "prompts/list", "prompts/get", "completion/complete",
        "logging/setLevel", "notifications/initialized", "notifications/cancelled", "notifications/progress",
        "notifications/roots/list_changed",
    ]

    static func methodLabel(_ method: String?) -> String {
        guard let method else { return "none" }
        return knownMethods.contains(method) ? method : "other"
    }
}

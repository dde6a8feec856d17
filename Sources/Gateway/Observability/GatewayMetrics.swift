import CoreMetrics
import Prometheus

/// Every metric the gateway records, named once here so the names in
/// dashboards and in docs/operations.md cannot drift apart.
///
/// Exported in Prometheus text format at `/metrics`, and over OTLP too
/// when OpenTelemetry export is on (``exported``). Labels only take
/// values from bounded sets (known MCP methods, catalog tool and connector
/// names, fixed outcomes), so a client cannot grow the series without end.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Receives every metric too when OpenTelemetry export is on.
    let exported: (any MetricsFactory)?

    public static let upstreamDurationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    /// - Parameter exported: a second factory every metric also goes to
    ///   (the OTLP exporter's); `/metrics` is served either way.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), exported: (any MetricsFactory)? = nil) {
        self.registry = registry
        self.exported = exported
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["gatehouse_upstream_duration_seconds"] = Self.upstreamDurationBuckets
        self.factory = factory
    }

    /// One request to `/mcp`, by JSON-RPC method and HTTP status.
    public func request(method: String, status: Int) {
        count("gatehouse_mcp_requests_total", [("method", method), ("status", String(status))], by: 1)
    }

    /// One tool call, by how it ended.
    public func toolCall(tool: String, connector: String, outcome: String) {
        count("gatehouse_tool_calls_total", [("tool", tool), ("connector", connector), ("outcome", outcome)], by: 1)
    }

    /// Time spent calling one connector's API for one tool call.
    public func upstreamDuration(connector: String, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let dimensions = [("connector", connector)]
        factory.makeTimer(label: "gatehouse_upstream_duration_seconds", dimensions: dimensions).recordNanoseconds(nanoseconds)
        exported?.makeTimer(label: "gatehouse_upstream_duration_seconds", dimensions: dimensions).recordNanoseconds(nanoseconds)
    }

    /// Upstream attempts beyond the first.
    func retries(connector: String, count: Int) {
        self.count("gatehouse_upstream_retries_total", [("connector", connector)], by: Int64(count))
    }

    func reload(outcome: String) {
        count("gatehouse_reloads_total", [("outcome", outcome)], by: 1)
    }

    func toolsLoaded(_ count: Int) {
        set("gatehouse_tools_loaded", to: count)
    }

    /// One tool added, removed or changed by a reload.
    func toolChange(_ kind: String) {
        count("gatehouse_tool_changes_total", [("change", kind)], by: 1)
    }

    /// Tools the lock keeps at their locked definition or keeps out.
    func toolsHeldByLock(_ count: Int) {
        set("gatehouse_tools_held_by_lock", to: count)
    }

    /// An answer that did not match a lenient tool's `output_schema`.
    func outputSchemaMismatch(tool: String, connector: String) {
        count("gatehouse_output_schema_mismatches_total", [("tool", tool), ("connector", connector)], by: 1)
    }

    /// A confirmation asked before a destructive call, by how it ended.
    func confirmation(_ outcome: String) {
        count("gatehouse_confirmations_total", [("outcome", outcome)], by: 1)
    }

    func authorizationEvent(_ kind: String) {
        count("gatehouse_authorization_events_total", [("event", kind)], by: 1)
    }

    func authFailure(reason: String) {
        count("gatehouse_auth_failures_total", [("reason", reason)], by: 1)
    }

    private func count(_ label: String, _ dimensions: [(String, String)], by amount: Int64) {
        factory.makeCounter(label: label, dimensions: dimensions).increment(by: amount)
        exported?.makeCounter(label: label, dimensions: dimensions).increment(by: amount)
    }

    private func set(_ label: String, to value: Int) {
        factory.makeMeter(label: label, dimensions: []).set(Int64(value))
        exported?.makeMeter(label: label, dimensions: []).set(Int64(value))
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

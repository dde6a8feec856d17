import CoreMetrics
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// What the gateway exports over OTLP: a tracer for the spans of MCP
/// requests and upstream calls, a metrics factory that receives every
/// metric `/metrics` shows, and the services that batch and send them.
///
/// The tracer and the factory are handed to the gateway, not installed
/// as process globals, so tests can build as many gateways as they like
/// and the libraries underneath emit nothing the operator did not ask for.
public struct Telemetry: Sendable {
    public let signals: TelemetrySignals
    public let tracer: (any Tracer)?
    public let metrics: (any MetricsFactory)?
    /// The exporters. They run before the listeners open and stop after
    /// them, so the spans of the last calls are still sent.
    public let services: [any Service]

    public static let off = Telemetry(signals: .none, tracer: nil, metrics: nil, services: [])

    init(signals: TelemetrySignals, tracer: (any Tracer)?, metrics: (any MetricsFactory)?, services: [any Service]) {
        self.signals = signals
        self.tracer = tracer
        self.metrics = metrics
        self.services = services
    }

    /// Builds the exporters `environment` asks for (see
    /// ``TelemetrySignals``). The rest of the `OTEL_*` variables (endpoint,
    /// headers, service name, resource attributes, sampler, batch and
    /// export intervals) swift-otel reads from the process environment
    /// itself, so pass the process's own.
    ///
    /// - Parameter durationBuckets: histogram bounds by metric label, so
    ///   OTLP and `/metrics` bucket durations alike.
    public static func start(
        environment: [String: String], serviceVersion: String, durationBuckets: [String: [Duration]] = [:], logger: Logger
    ) throws -> Telemetry {
        let signals = try TelemetrySignals(environment: environment)
        guard !signals.isEmpty else { return .off }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "gatehouse"
        configuration.resourceAttributes["service.version"] = serviceVersion
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.traces.enabled = signals.traces
        configuration.metrics.enabled = signals.metrics
        configuration.traces.exporter = .otlp
        configuration.metrics.exporter = .otlp
        configuration.metrics.durationHistogramBuckets = durationBuckets
        var tracer: (any Tracer)?
        var metrics: (any MetricsFactory)?
        var services: [any Service] = []
        do {
            if signals.traces {
                let backend = try OTel.makeTracingBackend(configuration: configuration)
                tracer = backend.factory
                services.append(backend.service)
            }
            if signals.metrics {
                let backend = try OTel.makeMetricsBackend(configuration: configuration)
                metrics = backend.factory
                services.append(backend.service)
            }
        } catch {
            throw TelemetryConfigurationError("OpenTelemetry could not start: \(error)")
        }
        return Telemetry(signals: signals, tracer: tracer, metrics: metrics, services: services)
    }
}

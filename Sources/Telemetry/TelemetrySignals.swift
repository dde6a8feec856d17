/// Which signals the standard `OTEL_*` variables ask the gateway to export.
///
/// The OpenTelemetry defaults would export to `localhost:4318` whether or
/// not a collector listens there; a gateway that nobody pointed at a
/// collector should send nothing anywhere. So a signal is on only when it
/// is asked for: its exporter is named `otlp`, or an OTLP endpoint is set
/// and its exporter is not `none`. `OTEL_SDK_DISABLED=true` turns both off.
/// Logs are not exported: they go to standard output as JSON, for the
/// platform's log collector.
public struct TelemetrySignals: Sendable, Equatable {
    public var traces: Bool
    public var metrics: Bool

    public init(traces: Bool, metrics: Bool) {
        self.traces = traces
        self.metrics = metrics
    }

    public static let none = TelemetrySignals(traces: false, metrics: false)

    public var isEmpty: Bool { !traces && !metrics }

    /// - Throws: ``TelemetryConfigurationError`` for a value the gateway
    ///   cannot honour, so a deployment never believes it exports when it
    ///   does not.
    public init(environment: [String: String]) throws(TelemetryConfigurationError) {
        if environment["OTEL_SDK_DISABLED"].map(Self.isTrue) == true {
            self = .none
            return
        }
        let sharedEndpoint = Self.value("OTEL_EXPORTER_OTLP_ENDPOINT", in: environment) != nil
        traces = try Self.isOn(
            exporter: "OTEL_TRACES_EXPORTER", endpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", sharedEndpoint: sharedEndpoint,
            in: environment)
        metrics = try Self.isOn(
            exporter: "OTEL_METRICS_EXPORTER", endpoint: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", sharedEndpoint: sharedEndpoint,
            in: environment)
        if traces { try Self.checkProtocol(signal: "TRACES", in: environment) }
        if metrics { try Self.checkProtocol(signal: "METRICS", in: environment) }
    }

    private static func isOn(
        exporter: String, endpoint: String, sharedEndpoint: Bool, in environment: [String: String]
    ) throws(TelemetryConfigurationError) -> Bool {
        switch value(exporter, in: environment)?.lowercased() {
        case "otlp": return true
        case "none": return false
        case nil: return sharedEndpoint || value(endpoint, in: environment) != nil
        case let other?:
            throw TelemetryConfigurationError("\(exporter)=\(other) is not supported: use otlp, or none to export nothing")
        }
    }

    /// Only OTLP over HTTP is built in: gRPC would add a second HTTP/2 stack
    /// to every build for a protocol every collector also takes over HTTP.
    private static func checkProtocol(signal: String, in environment: [String: String]) throws(TelemetryConfigurationError) {
        for name in ["OTEL_EXPORTER_OTLP_\(signal)_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let given = value(name, in: environment) else { continue }
            guard ["http/protobuf", "http/json"].contains(given.lowercased()) else {
                throw TelemetryConfigurationError(
                    "\(name)=\(given) is not supported: use http/protobuf (the default) or http/json, and the collector's OTLP/HTTP port (4318)")
            }
            return
        }
    }

    private static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return value
    }

    private static func isTrue(_ value: String) -> Bool { value.trimmingWhitespace.lowercased() == "true" }
}

/// An `OTEL_*` value the gateway refuses at start-up.
public struct TelemetryConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

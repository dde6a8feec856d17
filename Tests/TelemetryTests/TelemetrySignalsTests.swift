import Logging
import Testing

@testable import Telemetry

/// Nothing is exported unless the standard variables ask for it, and a
/// value the gateway cannot honour stops it at start-up.
@Suite("Telemetry signals")
struct TelemetrySignalsTests {
    private func signals(_ environment: [String: String]) throws -> TelemetrySignals {
        try TelemetrySignals(environment: environment)
    }

    @Test func nothingIsExportedByDefault() throws {
        #expect(try signals([:]) == .none)
        #expect(try signals(["OTEL_SERVICE_NAME": "gw", "OTEL_EXPORTER_OTLP_ENDPOINT": "  "]) == .none)
    }

    @Test func anEndpointTurnsOnBothSignals() throws {
        #expect(try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) == TelemetrySignals(traces: true, metrics: true))
    }

    @Test func aSignalsOwnEndpointTurnsOnThatSignal() throws {
        #expect(try signals(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"]) == TelemetrySignals(traces: true, metrics: false))
        #expect(try signals(["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318/v1/metrics"]) == TelemetrySignals(traces: false, metrics: true))
    }

    @Test func exportersChooseEachSignal() throws {
        #expect(try signals(["OTEL_TRACES_EXPORTER": "otlp"]) == TelemetrySignals(traces: true, metrics: false))
        #expect(
            try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"])
                == TelemetrySignals(traces: true, metrics: false))
        #expect(
            try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "NONE", "OTEL_METRICS_EXPORTER": "OTLP"])
                == TelemetrySignals(traces: false, metrics: true))
    }

    @Test func theSDKSwitchWins() throws {
        #expect(try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"]) == .none)
        #expect(try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "false"]).traces)
    }

    @Test func unsupportedExportersAndProtocolsAreRefused() {
        #expect(throws: TelemetryConfigurationError.self) { try signals(["OTEL_TRACES_EXPORTER": "zipkin"]) }
        #expect(throws: TelemetryConfigurationError.self) { try signals(["OTEL_METRICS_EXPORTER": "prometheus"]) }
        #expect(throws: TelemetryConfigurationError.self) {
            try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        }
        #expect(throws: TelemetryConfigurationError.self) {
            try signals(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"])
        }
        do {
            _ = try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        } catch {
            #expect("\(error)".contains("http/protobuf"), "the error says what works")
        }
    }

    @Test func theOTLPHTTPProtocolsAreAccepted() throws {
        #expect(try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]).traces)
        #expect(
            try signals(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"])
                == .none, "a protocol for signals that are off does not matter")
    }

    @Test func startingWithNothingAskedBuildsNoExporter() throws {
        let telemetry = try Telemetry.start(environment: [:], serviceVersion: "test", logger: Logger(label: "test"))
        #expect(telemetry.tracer == nil)
        #expect(telemetry.metrics == nil)
        #expect(telemetry.services.isEmpty)
    }
}

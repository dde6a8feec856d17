import Gateway
import HTTPTypes
import Logging
import MCPProtocol
import ServiceLifecycle
import Telemetry
import Tracing
import Upstream

/// What OpenTelemetry export adds to a tool call: the request's server
/// span and the upstream attempt's client span, made by swift-otel's
/// tracer and handed to its batch processor, against the same call with
/// export off. The exporter runs meanwhile, sending to a port nothing
/// listens on (the default endpoint, with no collector here), as a
/// collector that is down would leave it.
enum TelemetryBenchmarks {
    static func run(iterations: Int) async throws -> [Measurement] {
        let quiet = Logger(label: "bench.telemetry") { _ in SwiftLogNoOpLogHandler() }
        let telemetry = try Telemetry.start(environment: ["OTEL_TRACES_EXPORTER": "otlp"], serviceVersion: "bench", logger: quiet)
        guard let tracer = telemetry.tracer else { fatalError("no tracer") }
        let provider = CatalogBenchmarks.orderProvider()
        let context = CatalogBenchmarks.aliceContext
        let headers: HTTPFields = [
            .contentType: "application/json", .mcpProtocolVersion: "2026-07-28",
            HTTPField.Name("traceparent")!: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ]

        func call(_ tracing: MCPRequestTracing) async {
            let trace = tracing.begin(headers: headers, route: "/mcp")
            let outcome = await RequestTrace.$current.withValue(trace) {
                await provider.callTool(named: "get_order", arguments: ["id": 7], context: context)
            }
            tracing.end(trace, method: "tools/call", status: 200)
            blackHole(outcome)
        }

        let group = ServiceGroup(services: telemetry.services, logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let off = MCPRequestTracing(tracer: nil)
            let on = MCPRequestTracing(tracer: tracer)
            let results = [
                await measureAsync("tool call with its request trace, OpenTelemetry off", iterations: iterations) { await call(off) },
                await measureAsync("the same call exported: server span, upstream span (OTel batch)", iterations: iterations) {
                    await call(on)
                },
            ]
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return results
        }
    }
}

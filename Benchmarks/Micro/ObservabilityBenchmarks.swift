import Foundation
import Gateway
import Logging
import Upstream

/// What accounting adds to every call: the request trace, the metrics and
/// the audit line.
enum ObservabilityBenchmarks {
    static func run(iterations: Int) -> [Measurement] {
        let metrics = GatewayMetrics()
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        var handler = JSONLogHandler(label: "gatehouse.audit", fileDescriptor: devNull)
        handler.logLevel = .info
        let logger = Logger(label: "gatehouse.audit") { _ in handler }
        let sink = JSONAuditSink(fileDescriptor: devNull)
        return [
            measure("request trace (ids, upstream traceparent)", iterations: iterations) {
                let trace = RequestTrace(
                    requestIDHeader: nil, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                blackHole(trace.upstreamHeaders)
            },
            measure("metrics of one call (3 series)", iterations: iterations) {
                metrics.request(method: "tools/call", status: 200)
                metrics.toolCall(tool: "get_item", connector: "bench", outcome: "ok")
                metrics.upstreamDuration(connector: "bench", .microseconds(180))
            },
            measure("audit line (JSON, written to /dev/null)", iterations: iterations) {
                sink.record(AuditRecord(
                    tool: "get_item", connector: "bench", subject: "user-42", argumentKeys: ["id", "limit"], arguments: nil,
                    outcome: "ok", upstreamStatus: 200, latency: .microseconds(412), upstreamDuration: .microseconds(198),
                    responseBytes: 93, attempts: 1, era: "2026-07-28", requestID: "4bf92f3577b34da6a3ce929d0e0e4736",
                    traceID: "4bf92f3577b34da6a3ce929d0e0e4736"))
            },
            measure("log line through swift-log (JSON, 12 fields)", iterations: iterations) {
                logger.info(
                    "tool call",
                    metadata: [
                        "tool": "get_item", "connector": "bench", "subject": "user-42", "argument_keys": ["id", "limit"],
                        "outcome": "ok", "upstream_status": "200", "latency_ms": "0.412", "upstream_ms": "0.198",
                        "bytes": "93", "era": "2026-07-28", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                    ])
            },
        ]
    }
}

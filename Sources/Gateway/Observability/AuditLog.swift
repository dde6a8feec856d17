import ConnectorModel
import GatehouseJSON
import Logging
import Upstream

/// One line per tool call saying who called what and how it went, under
/// the `gatehouse.audit` logger. Argument names are always there, their
/// values only when the operator asks (they may hold personal data); the
/// caller's token never is.
public struct AuditLog: Sendable {
    let logger: Logger
    let argumentValues: Bool

    public init(logger: Logger, argumentValues: Bool) {
        var logger = logger
        // Audit lines are kept even when the operational log is quieter.
        if logger.logLevel > .info { logger.logLevel = .info }
        self.logger = logger
        self.argumentValues = argumentValues
    }

    func record(
        tool: String, connector: String?, caller: CallerIdentity, arguments: JSONObject, outcome: String,
        invocation: ToolInvoker.Outcome?, latency: Duration, era: String
    ) {
        var metadata: Logger.Metadata = [
            "tool": .string(tool),
            "subject": .string(caller.subject ?? "anonymous"),
            "argument_keys": .array(arguments.keys.map { .string($0) }),
            "outcome": .string(outcome),
            "latency_ms": .stringConvertible(latency.milliseconds),
            "era": .string(era),
        ]
        if let connector { metadata["connector"] = .string(connector) }
        if let trace = RequestTrace.current {
            metadata["request_id"] = .string(trace.requestID)
            metadata["trace_id"] = .string(trace.context.traceID.description)
        }
        if argumentValues { metadata["arguments"] = .string(JSONValue.object(arguments).jsonString) }
        if let invocation {
            metadata["upstream_status"] = .string(invocation.upstreamStatus.map(String.init) ?? "none")
            metadata["bytes"] = .stringConvertible(invocation.responseBytes)
            if let upstream = invocation.upstreamDuration { metadata["upstream_ms"] = .stringConvertible(upstream.milliseconds) }
            if invocation.attempts > 1 { metadata["attempts"] = .stringConvertible(invocation.attempts) }
        }
        logger.info("tool call", metadata: metadata)
    }
}

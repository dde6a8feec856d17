import Caller
import ConnectorModel
import GatehouseJSON
import Logging
import Upstream

/// One tool call as the audit trail records it: who called what and how it
/// went. Argument names always, their values only when the operator asks
/// (they may hold personal data); the caller's token never.
public struct AuditRecord: Sendable {
    public var tool: String
    public var connector: String?
    public var subject: String
    public var argumentKeys: [String]
    /// Present only when `GATEHOUSE_AUDIT_ARGUMENT_VALUES` is on.
    public var arguments: JSONObject?
    public var outcome: String
    public var upstreamStatus: Int?
    public var latency: Duration
    public var upstreamDuration: Duration?
    public var responseBytes: Int?
    public var attempts: Int
    public var era: String
    public var requestID: String?
    public var traceID: String?
    /// How the user answered the tool's confirmation, when it has one:
    /// `asked`, `accepted`, `declined`, `cancelled`, `unavailable` (the
    /// client cannot ask) or `not_asked` (allowed without asking).
    public var confirmation: String?
    /// The extra endpoint the call came through, if not `/mcp`.
    public var endpoint: String?

    public init(
        tool: String, connector: String?, subject: String, argumentKeys: [String], arguments: JSONObject?, outcome: String,
        upstreamStatus: Int?, latency: Duration, upstreamDuration: Duration?, responseBytes: Int?, attempts: Int, era: String,
        requestID: String?, traceID: String?
    ) {
        self.tool = tool
        self.connector = connector
        self.subject = subject
        self.argumentKeys = argumentKeys
        self.arguments = arguments
        self.outcome = outcome
        self.upstreamStatus = upstreamStatus
        self.latency = latency
        self.upstreamDuration = upstreamDuration
        self.responseBytes = responseBytes
        self.attempts = attempts
        self.era = era
        self.requestID = requestID
        self.traceID = traceID
    }
}

/// Where audit records go: a seam so tests can read them, and so the JSON
/// line, written on every call, can skip the generic logging path.
public protocol AuditSink: Sendable {
    func record(_ record: AuditRecord)
}

/// Audit records as JSON lines on a file descriptor, in the same shape as
/// the other log lines (logger `gatehouse.audit`), written field by field.
public struct JSONAuditSink: AuditSink {
    let fileDescriptor: Int32

    public init(fileDescriptor: Int32 = 1) {
        self.fileDescriptor = fileDescriptor
    }

    public func record(_ record: AuditRecord) {
        JSONLine.write(to: fileDescriptor, level: "info", logger: "gatehouse.audit", message: "tool call") { writer in
            func field(_ name: StaticString, _ value: String) {
                writer.append(",")
                writer.append(name)
                writer.append(":")
                writer.writeString(value)
            }
            field("\"tool\"", record.tool)
            if let connector = record.connector { field("\"connector\"", connector) }
            field("\"subject\"", record.subject)
            writer.append(",\"argument_keys\":[")
            for (index, key) in record.argumentKeys.enumerated() {
                if index > 0 { writer.append(",") }
                writer.writeString(key)
            }
            writer.append("]")
            if let arguments = record.arguments { field("\"arguments\"", JSONValue.object(arguments).jsonString) }
            field("\"outcome\"", record.outcome)
            field("\"upstream_status\"", record.upstreamStatus.map(String.init) ?? "none")
            field("\"latency_ms\"", String(record.latency.milliseconds))
            if let upstream = record.upstreamDuration { field("\"upstream_ms\"", String(upstream.milliseconds)) }
            if let bytes = record.responseBytes { field("\"bytes\"", String(bytes)) }
            if record.attempts > 1 { field("\"attempts\"", String(record.attempts)) }
            field("\"era\"", record.era)
            if let requestID = record.requestID { field("\"request_id\"", requestID) }
            if let traceID = record.traceID { field("\"trace_id\"", traceID) }
            if let confirmation = record.confirmation { field("\"confirmation\"", confirmation) }
            if let endpoint = record.endpoint { field("\"endpoint\"", endpoint) }
        }
    }
}

/// Audit records through swift-log, for the text log format.
public struct LoggerAuditSink: AuditSink {
    let logger: Logger

    public init(logger: Logger) {
        var logger = logger
        // Audit lines are kept even when the operational log is quieter.
        if logger.logLevel > .info { logger.logLevel = .info }
        self.logger = logger
    }

    public func record(_ record: AuditRecord) {
        var metadata: Logger.Metadata = [
            "tool": .string(record.tool),
            "subject": .string(record.subject),
            "argument_keys": .array(record.argumentKeys.map { .string($0) }),
            "outcome": .string(record.outcome),
            "upstream_status": .string(record.upstreamStatus.map(String.init) ?? "none"),
            "latency_ms": .stringConvertible(record.latency.milliseconds),
            "era": .string(record.era),
        ]
        if let connector = record.connector { metadata["connector"] = .string(connector) }
        if let arguments = record.arguments { metadata["arguments"] = .string(JSONValue.object(arguments).jsonString) }
        if let upstream = record.upstreamDuration { metadata["upstream_ms"] = .stringConvertible(upstream.milliseconds) }
        if let bytes = record.responseBytes { metadata["bytes"] = .stringConvertible(bytes) }
        if record.attempts > 1 { metadata["attempts"] = .stringConvertible(record.attempts) }
        if let requestID = record.requestID { metadata["request_id"] = .string(requestID) }
        if let traceID = record.traceID { metadata["trace_id"] = .string(traceID) }
        if let confirmation = record.confirmation { metadata["confirmation"] = .string(confirmation) }
        if let endpoint = record.endpoint { metadata["endpoint"] = .string(endpoint) }
        logger.info("tool call", metadata: metadata)
    }
}

/// Builds the audit record of each tool call and hands it to the sink.
public struct AuditLog: Sendable {
    let sink: any AuditSink
    let argumentValues: Bool

    public init(sink: any AuditSink, argumentValues: Bool) {
        self.sink = sink
        self.argumentValues = argumentValues
    }

    func record(
        tool: String, connector: String?, caller: CallerIdentity, arguments: JSONObject, outcome: String,
        invocation: ToolInvoker.Outcome?, latency: Duration, era: String, confirmation: String? = nil, endpoint: String? = nil
    ) {
        let trace = RequestTrace.current
        var record = AuditRecord(
            tool: tool, connector: connector, subject: caller.subject ?? "anonymous", argumentKeys: Array(arguments.keys),
            arguments: argumentValues ? arguments : nil, outcome: outcome, upstreamStatus: invocation?.upstreamStatus,
            latency: latency, upstreamDuration: invocation?.upstreamDuration,
            responseBytes: invocation.map(\.responseBytes), attempts: invocation?.attempts ?? 0, era: era,
            requestID: trace?.requestID, traceID: trace?.context.traceID.description)
        record.confirmation = confirmation
        record.endpoint = endpoint
        sink.record(record)
    }
}

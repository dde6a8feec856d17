import Tracing
import W3CTraceContext

/// Who asked for this call, for logs and for the upstream: a request id and
/// a W3C trace context.
///
/// It travels as a task-local value from the HTTP route to the upstream
/// call, so the protocol layer in between does not have to carry it.
public struct RequestTrace: Sendable {
    /// The caller's `X-Request-Id` when it sent a usable one, else new.
    public var requestID: String
    /// The gateway's span in the caller's trace, or in a new trace.
    public var context: TraceContext

    /// The request's span when OpenTelemetry export is on: upstream
    /// attempts become its children, and the protocol layer names it.
    public var span: (any Span)?
    /// What started `span`, to start the attempts' spans with.
    public var tracer: (any Tracer)?

    @TaskLocal public static var current: RequestTrace?

    public init(requestID: String, context: TraceContext, span: (any Span)? = nil, tracer: (any Tracer)? = nil) {
        self.requestID = requestID
        self.context = context
        self.span = span
        self.tracer = tracer
    }

    /// Continues the caller's trace when its `traceparent` parses, and keeps
    /// its request id when that is short and printable.
    public init(requestIDHeader: String?, traceparent: String?, tracestate: String? = nil) {
        let context: TraceContext
        var random = TraceRandom()
        if let traceparent, let parent = try? TraceContext(traceParentHeaderValue: traceparent, traceStateHeaderValue: tracestate) {
            context = TraceContext(traceID: parent.traceID, spanID: .random(using: &random), flags: parent.flags, state: parent.state)
        } else {
            context = TraceContext(
                traceID: .random(using: &random), spanID: .random(using: &random), flags: .sampled, state: TraceState())
        }
        let requestID = requestIDHeader.flatMap(Self.usableRequestID) ?? context.traceID.description
        self.init(requestID: requestID, context: context)
    }

    /// The headers an upstream call carries: the request id, and a child
    /// span of this request's span.
    public var upstreamHeaders: [(name: String, value: String)] {
        var random = TraceRandom()
        let child = TraceContext(traceID: context.traceID, spanID: .random(using: &random), flags: context.flags, state: context.state)
        var headers = [("X-Request-Id", requestID), ("traceparent", child.traceParentHeaderValue)]
        if let state = child.traceStateHeaderValue, !state.isEmpty { headers.append(("tracestate", state)) }
        return headers
    }

    /// Up to 128 characters of letters, digits and `-_.:/+=`: anything else
    /// could smuggle text into logs or upstream headers.
    static func usableRequestID(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || "-_.:/+=".utf8.contains(byte)
            })
        else { return nil }
        return value
    }
}

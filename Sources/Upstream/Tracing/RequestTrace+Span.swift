import Tracing
import W3CTraceContext

extension RequestTrace {
    /// The trace of a request whose span `tracer` started: log lines and
    /// upstream headers then carry the exported span's own ids, so a log
    /// line leads to its span and back.
    public init(requestIDHeader: String?, span: any Span, tracer: any Tracer) {
        var propagated: [(name: String, value: String)] = []
        tracer.inject(span.context, into: &propagated, using: UpstreamHeaderInjector())
        let parent = propagated.first { $0.name == "traceparent" }?.value
        let state = propagated.first { $0.name == "tracestate" }?.value
        guard let parent, let context = try? TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: state) else {
            self.init(requestIDHeader: requestIDHeader, traceparent: nil)
            self.span = span
            self.tracer = tracer
            return
        }
        let requestID = requestIDHeader.flatMap(Self.usableRequestID) ?? context.traceID.description
        self.init(requestID: requestID, context: context, span: span, tracer: tracer)
    }
}

import HTTPTypes
import MCPProtocol
import Tracing
import Upstream

/// The server span of one POST to an MCP endpoint, when OpenTelemetry
/// export is on: it continues the caller's `traceparent`, is named after
/// the JSON-RPC method (and the tool, for `tools/call`), and carries the
/// HTTP and MCP semantic-convention attributes.
///
/// With no tracer, ``begin(headers:route:)`` makes the same
/// ``RequestTrace`` as before and nothing else happens: the request path
/// pays for tracing only when it is on.
public struct MCPRequestTracing: Sendable {
    let tracer: (any Tracer)?

    public init(tracer: (any Tracer)?) {
        self.tracer = tracer
    }

    public func begin(headers: HTTPFields, route: String) -> RequestTrace {
        guard let tracer else { return RequestTrace(headers) }
        var parent = ServiceContext.topLevel
        tracer.extract(headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startSpan("POST \(route)", context: parent, ofKind: .server)
        // A request the sampler left out costs no attributes (nor, in the
        // invoker, an attempt span).
        if span.isRecording {
            var attributes = SpanAttributes()
            attributes["http.request.method"] = "POST"
            attributes["http.route"] = route
            attributes["url.path"] = route
            attributes["network.protocol.name"] = "http"
            if let agent = headers[.userAgent] { attributes["user_agent.original"] = agent }
            if let version = headers[.mcpProtocolVersion] { attributes["mcp.protocol.version"] = version }
            span.attributes = attributes
        }
        return RequestTrace(requestIDHeader: headers[.xRequestID], span: span, tracer: tracer)
    }

    /// Names the span after what was answered and ends it.
    public func end(_ trace: RequestTrace, method: String?, status: Int) {
        guard let span = trace.span else { return }
        if span.isRecording {
            var name: String?
            span.updateAttributes { attributes in
                if let method {
                    let label = GatewayMetrics.methodLabel(method)
                    attributes["mcp.method.name"] = label
                    if case .string(let tool)? = attributes.get("gen_ai.tool.name") { name = "\(label) \(tool)" } else { name = label }
                }
                attributes["http.response.status_code"] = status
                if status >= 500 { attributes["error.type"] = String(status) }
            }
            if let name { span.operationName = name }
            if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        }
        span.end()
    }
}

extension RequestTrace {
    /// Says on the request's span which tool was called and how the call
    /// ended (an `error.type` for anything but success).
    func noteToolCall(_ tool: String, connector: String?, outcome: String) {
        guard let span, span.isRecording else { return }
        span.updateAttributes { attributes in
            attributes["gen_ai.tool.name"] = tool
            attributes["gen_ai.operation.name"] = "execute_tool"
            if let connector { attributes["gatehouse.connector"] = connector }
            if outcome != "ok" { attributes["error.type"] = outcome }
        }
        if outcome != "ok" { span.setStatus(SpanStatus(code: .error)) }
    }
}

/// Reads the caller's propagation headers (`traceparent`, `tracestate`).
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from headers: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { headers[$0] }
    }
}

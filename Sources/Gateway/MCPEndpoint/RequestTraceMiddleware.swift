import HTTPTypes
import Hummingbird
import Upstream

/// Gives a JSON-RPC request its request id and trace context: the task-local
/// ``RequestTrace`` that log lines and upstream calls read, and the
/// `X-Request-Id` header of the answer.
///
/// Only POST carries a JSON-RPC request; GET and DELETE answer from the
/// session alone and pass through untouched.
struct RequestTraceMiddleware: RouterMiddleware {
    typealias Context = MCPRequestContext
    var tracing = MCPRequestTracing(tracer: nil)
    /// The route as the span names it, with its parameters unfilled.
    var route = "/mcp/:endpoint"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let trace = tracing.begin(headers: request.headers, route: route)
        // The handler says which JSON-RPC method it answered; the metrics
        // middleware inside reads the same record.
        var context = context
        let answered = context.answeredMethod ?? AnsweredMethod()
        context.answeredMethod = answered
        var response: Response
        do {
            response = try await RequestTrace.$current.withValue(trace) { [context] in try await next(request, context) }
        } catch {
            // The router turns the error into its status; the span says the same.
            tracing.end(trace, method: answered.value, status: Int((error as? any HTTPResponseError)?.status.code ?? 500))
            throw error
        }
        response.headers[.xRequestID] = trace.requestID
        tracing.end(trace, method: answered.value, status: Int(response.status.code))
        return response
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}

extension RequestTrace {
    init(_ headers: HTTPFields) {
        self.init(requestIDHeader: headers[.xRequestID], traceparent: headers[.traceparent], tracestate: headers[.tracestate])
    }
}

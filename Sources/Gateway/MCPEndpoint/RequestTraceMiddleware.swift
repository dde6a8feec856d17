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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let trace = RequestTrace(request.headers)
        var response = try await RequestTrace.$current.withValue(trace) { try await next(request, context) }
        response.headers[.xRequestID] = trace.requestID
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

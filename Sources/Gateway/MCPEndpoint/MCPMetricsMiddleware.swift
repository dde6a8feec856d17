import Hummingbird
import Synchronization

/// Counts every request to `/mcp` by method and status, refusals included.
///
/// The method label of a POST is its JSON-RPC method ("none" when the
/// request was refused before one was read); GET and DELETE are labelled
/// with the HTTP method.
struct MCPMetricsMiddleware: RouterMiddleware {
    typealias Context = MCPRequestContext
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else {
            let response = try await next(request, context)
            metrics.request(method: request.method.rawValue, status: Int(response.status.code))
            return response
        }
        var context = context
        let answered = context.answeredMethod ?? AnsweredMethod()
        context.answeredMethod = answered
        let response = try await next(request, context)
        metrics.request(method: GatewayMetrics.methodLabel(answered.value), status: Int(response.status.code))
        return response
    }
}

/// The JSON-RPC method a POST was answered for: the handler knows it, the
/// metrics middleware outside sees only the HTTP response.
final class AnsweredMethod: Sendable {
    private let method = Mutex<String?>(nil)

    var value: String? {
        get { method.withLock { $0 } }
        set { method.withLock { $0 = newValue } }
    }
}

import Hummingbird
import MCPProtocol

/// Refuses a browser origin the endpoint does not allow (403), before
/// authentication, so a foreign page learns nothing else about it.
struct OriginMiddleware: RouterMiddleware {
    typealias Context = MCPRequestContext
    let server: MCPServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = server.checkOrigin(request.headers) { return Response(refusal) }
        return try await next(request, context)
    }
}

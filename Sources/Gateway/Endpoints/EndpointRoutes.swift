import GatehouseJSON
import Hummingbird
import Logging
import MCPProtocol

extension Gateway {
    /// `/mcp/NAME` for each extra endpoint: the same chain as `/mcp`, with
    /// the endpoint found first, then its own origin check and its own
    /// protected resource; and its RFC 9728 metadata, at the path-inserted
    /// location and after the endpoint's path.
    func addEndpointRoutes(to router: Router<GatewayRequestContext>) {
        let endpoints = self.endpoints
        let maxBody = settings.maxBodyBytes
        router.group("/mcp/:endpoint", context: MCPRequestContext.self)
            .addMiddleware {
                RequestTraceMiddleware(tracing: tracing)
                MCPMetricsMiddleware(metrics: metrics)
                EndpointMiddleware(endpoints: endpoints, metrics: metrics, logger: logger)
            }
            .post { request, context in
                guard let endpoint = context.endpoint else { return Response(status: .notFound) }
                return await MCPPostHandler(server: endpoint.server, maxBody: maxBody).respond(to: request, context: context)
            }
            .get { request, context in
                guard let endpoint = context.endpoint else { return Response(status: .notFound) }
                return Response(endpoint.server.handleGet(headers: request.headers))
            }
            .delete { request, context in
                guard let endpoint = context.endpoint else { return Response(status: .notFound) }
                return Response(endpoint.server.handleDelete(headers: request.headers))
            }
        guard resourceServer != nil else { return }
        let metadata = { @Sendable (_: Request, context: GatewayRequestContext) -> Response in
            guard let name = context.parameters.get("endpoint"), let resource = endpoints.endpoint(named: name)?.resourceServer else {
                return Self.notFound("no such endpoint")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: resource.metadata.jsonBytes)))
        }
        router.get("/.well-known/oauth-protected-resource/mcp/:endpoint", use: metadata)
        router.get("/mcp/:endpoint/.well-known/oauth-protected-resource", use: metadata)
    }

    static func notFound(_ message: String) -> Response {
        let body = JSONRPCEncoder.error(id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Not Found: \(message)"))
        return Response(status: .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Finds the endpoint a request names (404 when the endpoints file has no
/// such endpoint), then checks the origin and the token as `/mcp` does,
/// against that endpoint's own rules.
struct EndpointMiddleware: RouterMiddleware {
    typealias Context = MCPRequestContext
    let endpoints: EndpointRegistry
    let metrics: GatewayMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let name = context.parameters.get("endpoint"), let endpoint = endpoints.endpoint(named: name) else {
            return Gateway.notFound("no such endpoint")
        }
        if let refusal = endpoint.server.checkOrigin(request.headers) { return Response(refusal) }
        var context = context
        context.endpoint = endpoint
        return try await BearerAuthMiddleware(resourceServer: endpoint.resourceServer, metrics: metrics, logger: logger)
            .handle(request, context: context, next: next)
    }
}

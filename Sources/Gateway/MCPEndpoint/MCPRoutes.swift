import Hummingbird
import MCPProtocol

extension Gateway {
    /// `/mcp`: the middleware chain every request passes, outermost first,
    /// then one line per HTTP method.
    func addMCPRoutes(to router: Router<GatewayRequestContext>) {
        let server = self.server
        let post = MCPPostHandler(server: server, maxBody: settings.maxBodyBytes)
        router.group("/mcp", context: MCPRequestContext.self)
            .addMiddleware {
                RequestTraceMiddleware()
                MCPMetricsMiddleware(metrics: metrics)
                OriginMiddleware(server: server)
                BearerAuthMiddleware(resourceServer: resourceServer, metrics: metrics, logger: logger)
            }
            .post { request, context in await post.respond(to: request, context: context) }
            .get { request, _ in Response(server.handleGet(headers: request.headers)) }
            .delete { request, _ in Response(server.handleDelete(headers: request.headers)) }
    }
}

/// A JSON-RPC message in, its answer out: the body is read up to the
/// configured limit and handed to the protocol layer with the caller.
struct MCPPostHandler: Sendable {
    let server: MCPServer
    let maxBody: Int

    func respond(to request: Request, context: MCPRequestContext) async -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBody)
        } catch {
            return Response(
                status: .contentTooLarge, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: JSONRPCEncoder.error(
                    id: nil,
                    error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Request body larger than \(maxBody) bytes")))))
        }
        let answer = await server.handlePost(headers: request.headers, body: Array(buffer.readableBytesView), caller: context.caller)
        context.answeredMethod?.value = answer.method
        return Response(answer)
    }
}

import Hummingbird
import MCPProtocol

extension Gateway {
    /// `/mcp`: POST through ``MCPPostResponder``; GET and DELETE through the
    /// middleware chain, outermost first.
    func addMCPRoutes(to router: Router<GatewayRequestContext>) {
        let server = self.server
        let responder = mcpPostResponder
        // The server answers this route on the event loop that read the
        // request (MCPFastPathHandler); the route serves tests that drive
        // the router without sockets, and any other channel.
        router.post("/mcp") { request, _ -> Response in
            let body = try? await request.body.collect(upTo: responder.maxBody)
            return Response(await responder.respond(
                headers: request.headers, query: request.uri.query, body: body.map { Array($0.readableBytesView) }))
        }
        router.group("/mcp", context: MCPRequestContext.self)
            .addMiddleware {
                MCPMetricsMiddleware(metrics: metrics)
                OriginMiddleware(server: server)
                BearerAuthMiddleware(resourceServer: resourceServer, metrics: metrics, logger: logger)
            }
            .get { request, _ in Response(server.handleGet(headers: request.headers)) }
            .delete { request, _ in Response(server.handleDelete(headers: request.headers)) }
    }

    /// What answers a POST to `/mcp`, on either path.
    var mcpPostResponder: MCPPostResponder {
        MCPPostResponder(
            server: server, resourceServer: resourceServer, metrics: metrics, logger: logger, maxBody: settings.maxBodyBytes,
            tracing: tracing)
    }
}

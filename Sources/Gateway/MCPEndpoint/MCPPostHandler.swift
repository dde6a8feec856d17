import Hummingbird
import MCPProtocol

/// A JSON-RPC message in, its answer out, behind the middleware chain of
/// an extra endpoint (`/mcp/NAME`): the body is read up to the configured
/// limit and handed to the protocol layer with the caller.
struct MCPPostHandler: Sendable {
    let server: MCPServer
    let maxBody: Int

    func respond(to request: Request, context: MCPRequestContext) async -> Response {
        guard let buffer = try? await request.body.collect(upTo: maxBody) else {
            return Response(MCPPostResponder.tooLarge(maxBody))
        }
        let answer = await server.handlePost(headers: request.headers, body: Array(buffer.readableBytesView), caller: context.caller)
        context.answeredMethod?.value = answer.method
        return Response(answer)
    }
}

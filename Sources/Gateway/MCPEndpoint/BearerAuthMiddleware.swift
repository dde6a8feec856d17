import GatehouseJSON
import Hummingbird
import Logging
import MCPProtocol
import OAuth

/// With OAuth on, verifies the bearer token and puts its caller in the
/// context; a missing or bad token gets the challenge that sends the client
/// to sign in. Without OAuth every request passes with no caller.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = MCPRequestContext
    let resourceServer: ResourceServer?
    let metrics: GatewayMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let resourceServer else { return try await next(request, context) }
        var context = context
        do {
            context.caller = try await resourceServer.authenticate(headers: request.headers, query: request.uri.query)
        } catch {
            metrics.authFailure(reason: error.reason)
            logger.info("request refused", metadata: ["reason": .string(error.reason), "status": .stringConvertible(error.httpStatus)])
            let body = JSONRPCEncoder.error(
                id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Unauthorized: \(error.description)"))
            return Response(
                status: .init(code: error.httpStatus),
                headers: [.contentType: "application/json", .wwwAuthenticate: resourceServer.challenge(for: error)],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return try await next(request, context)
    }
}

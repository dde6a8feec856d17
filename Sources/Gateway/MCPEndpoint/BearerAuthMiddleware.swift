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
            return Response(Self.refusal(error, resourceServer: resourceServer, metrics: metrics, logger: logger))
        }
        return try await next(request, context)
    }

    /// The 401 or 403 a refused token gets, with the challenge that sends
    /// the client to sign in; the refusal is counted and logged without
    /// the token.
    static func refusal(_ error: AuthFailure, resourceServer: ResourceServer, metrics: GatewayMetrics, logger: Logger) -> MCPHTTPResponse {
        metrics.authFailure(reason: error.reason)
        logger.info("request refused", metadata: ["reason": .string(error.reason), "status": .stringConvertible(error.httpStatus)])
        return MCPHTTPResponse(
            status: .init(code: error.httpStatus),
            headerFields: [.contentType: "application/json", .wwwAuthenticate: resourceServer.challenge(for: error)],
            body: JSONRPCEncoder.error(
                id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Unauthorized: \(error.description)")))
    }
}

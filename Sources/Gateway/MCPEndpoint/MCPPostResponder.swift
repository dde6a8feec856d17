import Caller
import HTTPTypes
import Logging
import MCPProtocol
import OAuth
import Upstream

/// A POST to `/mcp`, from head and body to answer: request id and trace,
/// the origin check, the bearer token, the protocol layer, and the request
/// counted by method and status, in that order.
///
/// Both ways a POST arrives use it: ``MCPFastPathHandler`` on the event
/// loop that read the request (the server), and the Hummingbird route
/// (tests that drive the router without sockets).
struct MCPPostResponder: Sendable {
    let server: MCPServer
    let resourceServer: ResourceServer?
    let metrics: GatewayMetrics
    let logger: Logger
    let maxBody: Int
    var tracing = MCPRequestTracing(tracer: nil)

    /// - Parameter body: the request body, or `nil` when it was longer than
    ///   `maxBody` (answered 413 once the caller is known to be allowed).
    func respond(headers: HTTPFields, query: String?, body: [UInt8]?) async -> MCPHTTPResponse {
        let trace = tracing.begin(headers: headers, route: "/mcp")
        var response = await RequestTrace.$current.withValue(trace) { await answer(headers: headers, query: query, body: body) }
        response.headerFields[.xRequestID] = trace.requestID
        metrics.request(method: GatewayMetrics.methodLabel(response.method), status: Int(response.status.code))
        tracing.end(trace, method: response.method, status: Int(response.status.code))
        return response
    }

    private func answer(headers: HTTPFields, query: String?, body: [UInt8]?) async -> MCPHTTPResponse {
        if let refusal = server.checkOrigin(headers) { return refusal }
        var caller: CallerIdentity?
        if let resourceServer {
            do {
                caller = try await resourceServer.authenticate(headers: headers, query: query)
            } catch {
                return BearerAuthMiddleware.refusal(error, resourceServer: resourceServer, metrics: metrics, logger: logger)
            }
        }
        guard let body else { return Self.tooLarge(maxBody) }
        return await server.handlePost(headers: headers, body: body, caller: caller)
    }

    static func tooLarge(_ maxBody: Int) -> MCPHTTPResponse {
        MCPHTTPResponse(
            status: .contentTooLarge, headerFields: [.contentType: "application/json"],
            body: JSONRPCEncoder.error(
                id: nil, error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Request body larger than \(maxBody) bytes")))
    }
}

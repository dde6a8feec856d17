import Caller
import Foundation
import GatehouseJSON
import HTTPTypes

/// The MCP endpoint, independent of any HTTP server library: headers and a
/// body in, status, headers and a body out. Serves both protocol eras.
///
/// A request whose `params._meta` names a protocol version is modern
/// (2026-07-28) and served statelessly; `initialize` opens a legacy session,
/// and every other request must carry that session's id. Each era checks a
/// request its own way, then one method table (``MCPMethod``) serves it.
///
/// The transport checks the `Origin` (``checkOrigin(_:)``) and
/// authenticates the caller before any of the handlers runs.
public struct MCPServer: Sendable {
    public let configuration: MCPServerConfiguration
    public let tools: any ToolProvider
    public let revocations: SessionRevocations
    /// Feeds open notification streams.
    public let events: ServerEvents
    /// Legacy tool calls in progress, for `notifications/cancelled`.
    public let inFlight: InFlightRequests
    /// Confirmations asked on legacy calls' streams, awaiting the answer.
    public let questions: PendingQuestions
    /// Confirmation states already answered (no replays).
    public let spentStates: SpentRequestStates

    public init(
        configuration: MCPServerConfiguration, tools: any ToolProvider, revocations: SessionRevocations = SessionRevocations(),
        events: ServerEvents = ServerEvents(), inFlight: InFlightRequests = InFlightRequests(),
        questions: PendingQuestions = PendingQuestions(), spentStates: SpentRequestStates = SpentRequestStates()
    ) {
        self.configuration = configuration
        self.tools = tools
        self.revocations = revocations
        self.events = events
        self.inFlight = inFlight
        self.questions = questions
        self.spentStates = spentStates
    }

    // MARK: HTTP methods

    public func handlePost(headers: HTTPFields, body: [UInt8], caller: CallerIdentity? = nil) async -> MCPHTTPResponse {
        let acceptance = headers.acceptance
        guard acceptance.json || acceptance.eventStream else {
            return .error(
                JSONRPCError(code: JSONRPCError.invalidRequest, message: "Not Acceptable: accept application/json or text/event-stream"),
                status: .notAcceptable)
        }
        if let contentType = headers[.contentType]?.lowercased(), !contentType.hasPrefix("application/json") {
            return .error(
                JSONRPCError(code: JSONRPCError.invalidRequest, message: "Unsupported Media Type: send application/json"),
                status: .unsupportedMediaType)
        }
        let eventStream = !acceptance.json
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            return .error(JSONRPCError(code: JSONRPCError.parseError, message: "Parse error: \(error.description)"), status: .badRequest)
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(value)
        } catch {
            return .error(error.error, id: error.id, status: .badRequest)
        }
        switch message {
        case .response(let id, let result):
            // The answer to a question a legacy call asked on its stream.
            if let token = headers[.mcpSessionID], let session = legacySession(token) {
                questions.deliver(session: session.id, request: id, result: result)
            }
            return .accepted
        case .notification(let method, let params):
            var response = notification(method, params: params, headers: headers)
            response.method = method
            return response
        case .request(let id, let method, let params):
            var response: MCPHTTPResponse
            if let version = Self.modernVersion(in: params) {
                response = await modern(id: id, method: method, params: params, version: version, headers: headers,
                                        eventStream: eventStream, caller: caller)
            } else {
                response = await legacy(id: id, method: method, params: params, headers: headers, eventStream: eventStream,
                                        caller: caller)
            }
            response.method = method
            return response
        }
    }

    /// Notifications get 202; a legacy one on an unknown session gets 404.
    func notification(_ method: String, params: JSONObject, headers: HTTPFields) -> MCPHTTPResponse {
        if Self.modernVersion(in: params) != nil { return .accepted }
        if let headerValue = headers[.mcpSessionID] {
            guard let session = legacySession(headerValue) else {
                return .error(JSONRPCError(code: JSONRPCError.sessionNotFound, message: "Session not found"), status: .notFound)
            }
            if method == "notifications/cancelled", let request = params["requestId"].flatMap(JSONRPCID.init(json:)) {
                inFlight.cancel(session: session.id, request: request)
            }
        }
        return .accepted
    }

    /// The 403 for a browser origin that is not allowed, if it is not. The
    /// transport asks before anything else, authentication included, so a
    /// foreign page learns nothing about the endpoint.
    public func checkOrigin(_ headers: HTTPFields) -> MCPHTTPResponse? {
        guard configuration.originPolicy.allows(headers[.origin]) else {
            return .error(JSONRPCError(code: JSONRPCError.invalidRequest, message: "Forbidden: origin not allowed"), status: .forbidden)
        }
        return nil
    }

    func legacySession(_ token: String) -> LegacySession? {
        guard let session = configuration.sessionSigner.verify(token), !revocations.isRevoked(session) else { return nil }
        return session
    }

    static func modernVersion(in params: JSONObject) -> JSONValue? {
        guard case .object(let meta)? = params["_meta"] else { return nil }
        return meta[MetaKey.protocolVersion]
    }

    /// `server/discover`, the same in both eras.
    func discover(_ request: MCPRequest) -> MCPHTTPResponse {
        var result = discoverResult()
        decorateModern(&result, cacheable: true)
        return .message(JSONRPCEncoder.result(id: request.id, result: result), eventStream: request.eventStream)
    }
}

import Foundation
import GatehouseJSON
import HTTPTypes

// MARK: Tools, both eras

extension MCPServer {
    func toolsList(_ request: MCPRequest) -> MCPHTTPResponse {
        pagedList(request, key: "tools", listing: tools.listing(for: request.context))
    }

    /// `tools/call`; on a legacy session the call can be cancelled with
    /// `notifications/cancelled` while it runs.
    func toolsCall(_ request: MCPRequest) async -> MCPHTTPResponse {
        guard let session = request.session else { return await callTool(request) }
        return await inFlight.track(session: session.id, request: request.id) { signal in
            var request = request
            request.context.cancellation = signal
            return await callTool(request)
        }
    }

    /// Runs the tool the request names (its name was checked with the era's
    /// checks).
    func callTool(_ request: MCPRequest) async -> MCPHTTPResponse {
        let (id, name, eventStream) = (request.id, request.name, request.eventStream)
        var arguments = JSONObject()
        switch request.params["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        default:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("params.arguments must be an object")), eventStream: eventStream)
        }
        var request = request
        if request.context.era == .modern, let early = checkRetry(&request, name: name, arguments: arguments) { return early }
        switch await tools.callTool(named: name, arguments: arguments, context: request.context) {
        case .userActionRequired(let action):
            return userAction(action, request: request, name: name, arguments: arguments)
        case .confirmationRequired(let message):
            return askConfirmation(message, request: request, name: name, arguments: arguments)
        case .result(var result):
            if request.context.era == .modern { decorateModern(&result, cacheable: false) }
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case .unknownTool:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("Unknown tool: \(name)")), eventStream: eventStream)
        case .forbidden(let scopes):
            // HTTP 403 with insufficient_scope lets OAuth clients step up.
            var headers = HTTPFields()
            if let challenge = configuration.insufficientScopeChallenge { headers[.wwwAuthenticate] = challenge(scopes) }
            let error = JSONRPCError(
                code: JSONRPCError.invalidRequest,
                message: "Forbidden: \(name) needs the scopes \(scopes.joined(separator: " "))")
            return .message(JSONRPCEncoder.error(id: id, error: error), status: .forbidden, eventStream: eventStream, headers: headers)
        }
    }

    /// Cursors name the catalog generation they were issued for, so a page
    /// request after a reload is refused rather than skipping or repeating
    /// tools.
    static func encodeCursor(offset: Int, generation: UInt64) -> String {
        SessionSigner.base64URL(Data("g\(generation):\(offset)".utf8))
    }

    static func decodeCursor(_ cursor: String) -> (offset: Int, generation: UInt64)? {
        guard cursor.utf8.count < 64, let data = SessionSigner.decodeBase64URL(cursor),
            let text = String(data: data, encoding: .utf8), text.hasPrefix("g")
        else { return nil }
        let parts = text.dropFirst().split(separator: ":")
        guard parts.count == 2, let generation = UInt64(parts[0]), let offset = Int(parts[1]), offset >= 0 else { return nil }
        return (offset, generation)
    }
}

import Caller
import GatehouseJSON
import HTTPTypes

// MARK: Legacy (2025-03-26 … 2025-11-25)

extension MCPServer {
    /// Checks a legacy request: `initialize` opens a session, every other
    /// request must carry a live one; then serves it from the method table.
    func legacy(
        id: JSONRPCID, method: String, params: JSONObject, headers: HTTPFields, eventStream: Bool,
        caller: CallerIdentity?
    ) async -> MCPHTTPResponse {
        if method == "initialize" {
            return initialize(id: id, params: params, eventStream: eventStream)
        }
        guard let token = headers[.mcpSessionID] else {
            let modernHeader = headers[.mcpProtocolVersion].map { ProtocolVersion.modern.contains($0) } ?? false
            if modernHeader || method == "server/discover" || method == "subscriptions/listen" {
                return .error(
                    .invalidParams("_meta.\(MetaKey.protocolVersion) is required for \(method)"), id: id, status: .badRequest)
            }
            return .error(
                JSONRPCError(
                    code: JSONRPCError.invalidRequest,
                    message: "Bad Request: no Mcp-Session-Id; send initialize first, or send 2026-07-28 requests with _meta"),
                id: id, status: .badRequest)
        }
        guard let session = legacySession(token) else {
            return .error(JSONRPCError(code: JSONRPCError.sessionNotFound, message: "Session not found"), id: id, status: .notFound)
        }
        // The negotiated version wins over a disagreeing header (a known
        // Claude quirk); an unknown version in the header is still refused.
        if let headerVersion = headers[.mcpProtocolVersion], !ProtocolVersion.isKnown(headerVersion) {
            return .error(
                JSONRPCError(
                    code: JSONRPCError.invalidRequest,
                    message: "Bad Request: unsupported MCP-Protocol-Version '\(headerVersion)'",
                    data: ["supported": .array((ProtocolVersion.legacy + ProtocolVersion.modern).map(JSONValue.string))]),
                id: id, status: .badRequest)
        }
        guard let entry = MCPMethod.table[method], entry.eras.contains(.legacy) else {
            return .message(JSONRPCEncoder.error(id: id, error: .methodNotFound(method)), eventStream: eventStream)
        }
        var request = MCPRequest(
            id: id, params: params, eventStream: eventStream,
            context: CallContext(era: .legacy, protocolVersion: session.protocolVersion, requestID: id, caller: caller),
            session: session)
        request.context.supportsURLElicitation = session.urlElicitation
        // A question needs the call's answer to stream (SSE).
        request.context.supportsFormElicitation = session.formElicitation && headers.acceptance.eventStream
        if entry.namedBy != nil {
            guard let name = entry.name(in: params) else {
                return .message(JSONRPCEncoder.error(id: id, error: entry.missingName(method)), eventStream: eventStream)
            }
            request.name = name
        }
        return await entry.handle(self, request)
    }

    func initialize(id: JSONRPCID, params: JSONObject, eventStream: Bool) -> MCPHTTPResponse {
        let requested = params["protocolVersion"]?.stringValue
        guard requested != nil else {
            return .error(.invalidParams("initialize needs params.protocolVersion"), id: id, status: .badRequest)
        }
        let version = ProtocolVersion.negotiate(requested: requested)
        var result: JSONObject = [
            "protocolVersion": .string(version),
            "capabilities": capabilities,
            "serverInfo": serverInfo,
        ]
        if let instructions = configuration.instructions { result["instructions"] = .string(instructions) }
        var headers = HTTPFields()
        headers[.mcpSessionID] = configuration.sessionSigner.mint(
            protocolVersion: version,
            urlElicitation: ProtocolVersion.hasURLElicitation(version) && Self.declaresURLElicitation(params["capabilities"]),
            formElicitation: Self.declaresFormElicitation(params["capabilities"]))
        return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream, headers: headers)
    }

    /// `capabilities.elicitation.url`, as an object: a client that lists
    /// only `elicitation: {}` supports forms alone.
    static func declaresURLElicitation(_ capabilities: JSONValue?) -> Bool {
        guard case .object(let elicitation)? = capabilities?["elicitation"], case .object? = elicitation["url"] else { return false }
        return true
    }

    /// `capabilities.elicitation` as an object with `form`, or with
    /// neither mode (which meant forms before URL mode existed).
    static func declaresFormElicitation(_ capabilities: JSONValue?) -> Bool {
        guard case .object(let elicitation)? = capabilities?["elicitation"] else { return false }
        if case .object? = elicitation["form"] { return true }
        return elicitation["url"] == nil
    }

    /// Ends a legacy session. Without a session there is nothing to delete:
    /// the 2026-07-28 revision answers 405.
    public func handleDelete(headers: HTTPFields) -> MCPHTTPResponse {
        guard let token = headers[.mcpSessionID] else { return .methodNotAllowed() }
        guard let session = legacySession(token) else {
            return .error(JSONRPCError(code: JSONRPCError.sessionNotFound, message: "Session not found"), status: .notFound)
        }
        revocations.revoke(session, maximumAge: configuration.sessionSigner.maximumAge)
        return MCPHTTPResponse(status: .ok)
    }
}

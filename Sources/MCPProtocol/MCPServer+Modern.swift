import Caller
import GatehouseJSON
import HTTPTypes

// MARK: 2026-07-28

extension MCPServer {
    /// Checks a 2026-07-28 request: the version in `_meta` and its mirror in
    /// the headers, `Mcp-Method` and `Mcp-Name`, the client's capabilities;
    /// then serves it from the method table.
    func modern(
        id: JSONRPCID, method: String, params: JSONObject, version: JSONValue, headers: HTTPFields, eventStream: Bool,
        caller: CallerIdentity?
    ) async -> MCPHTTPResponse {
        func fail(_ error: JSONRPCError, _ status: HTTPResponse.Status = .badRequest) -> MCPHTTPResponse {
            .message(JSONRPCEncoder.error(id: id, error: error), status: status, eventStream: eventStream)
        }
        guard case .string(let version) = version else {
            return fail(.invalidParams("_meta.\(MetaKey.protocolVersion) must be a string"))
        }
        // A header that contradicts the body is reported before the version
        // itself is judged: the two disagreeing is the more basic fault.
        let headerVersion = headers[.mcpProtocolVersion]
        if let headerVersion, headerVersion != version {
            return fail(.headerMismatch("MCP-Protocol-Version header '\(headerVersion)' does not match _meta protocol version '\(version)'"))
        }
        guard ProtocolVersion.modern.contains(version) else {
            return fail(JSONRPCError(
                code: JSONRPCError.unsupportedProtocolVersion, message: "Unsupported protocol version",
                data: ["supported": .array(ProtocolVersion.modern.map(JSONValue.string)), "requested": .string(version)]))
        }
        guard headerVersion != nil else {
            return fail(.headerMismatch("MCP-Protocol-Version header is required"))
        }
        guard let headerMethod = headers[.mcpMethod] else {
            return fail(.headerMismatch("Mcp-Method header is required"))
        }
        guard headerMethod == method else {
            return fail(.headerMismatch("Mcp-Method header '\(headerMethod)' does not match method '\(method)'"))
        }
        let entry = MCPMethod.table[method]
        var name = ""
        if let entry, let key = entry.namedBy {
            guard let value = entry.name(in: params) else { return fail(entry.missingName(method)) }
            guard let rawName = headers[.mcpName] else {
                return fail(.headerMismatch("Mcp-Name header is required for \(method)"))
            }
            guard let headerName = HTTPFields.decodeSentinel(rawName), headerName == value else {
                return fail(.headerMismatch("Mcp-Name header '\(rawName)' does not match params.\(key) '\(value)'"))
            }
            name = value
        }
        guard case .object(let meta)? = params["_meta"], case .object(let clientCapabilities)? = meta[MetaKey.clientCapabilities] else {
            return fail(.invalidParams("_meta.\(MetaKey.clientCapabilities) is required (an object)"))
        }
        guard let entry, entry.eras.contains(.modern) else {
            return fail(.methodNotFound(method), .notFound)
        }
        var request = MCPRequest(
            id: id, params: params, eventStream: eventStream,
            context: CallContext(era: .modern, protocolVersion: version, requestID: id, caller: caller), name: name)
        request.context.supportsURLElicitation = Self.declaresURLElicitation(.object(clientCapabilities))
        request.context.supportsFormElicitation = Self.declaresFormElicitation(.object(clientCapabilities))
        return await entry.handle(self, request)
    }

    func decorateModern(_ result: inout JSONObject, cacheable: Bool, perCaller: Bool = false, changedRecently: Bool = false) {
        result["resultType"] = "complete"
        if cacheable {
            let ttl = changedRecently ? min(configuration.listTTLMilliseconds, configuration.listTTLAfterChangeMilliseconds) : configuration.listTTLMilliseconds
            result["ttlMs"] = .int(Int64(ttl))
            result["cacheScope"] = perCaller ? "private" : "public"
        }
        var meta = result["_meta"]?.objectValue ?? [:]
        meta[MetaKey.serverInfo] = serverInfo
        result["_meta"] = .object(meta)
    }

    var serverInfo: JSONValue {
        var info: JSONObject = ["name": .string(configuration.serverName), "version": .string(configuration.serverVersion)]
        if let title = configuration.serverTitle { info["title"] = .string(title) }
        return .object(info)
    }

    /// Tools always; prompts while some are configured. Resources are not
    /// announced while none are served, though their list methods answer.
    var capabilities: JSONValue {
        let listChanged = JSONValue.bool(configuration.listChangedNotifications)
        var capabilities: JSONObject = ["tools": ["listChanged": listChanged]]
        let features = tools.features
        if features.prompts { capabilities["prompts"] = ["listChanged": listChanged] }
        if features.resources { capabilities["resources"] = ["listChanged": listChanged] }
        return .object(capabilities)
    }

    func discoverResult() -> JSONObject {
        var result: JSONObject = [
            "supportedVersions": .array(ProtocolVersion.modern.map(JSONValue.string)),
            "capabilities": capabilities,
        ]
        if let instructions = configuration.instructions { result["instructions"] = .string(instructions) }
        return result
    }
}

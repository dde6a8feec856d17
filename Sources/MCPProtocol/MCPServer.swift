import Caller
import Foundation
import GatehouseJSON
import HTTPTypes

/// The MCP endpoint, independent of any HTTP server library: headers and a
/// body in, status, headers and a body out. Serves both protocol eras.
///
/// A request whose `params._meta` names a protocol version is modern
/// (2026-07-28) and served statelessly; `initialize` opens a legacy session,
/// and every other request must carry that session's id.
public struct MCPServer: Sendable {
    public let configuration: MCPServerConfiguration
    public let tools: any ToolProvider
    public let revocations: SessionRevocations
    /// Feeds open notification streams.
    public let events: ServerEvents
    /// Legacy tool calls in progress, for `notifications/cancelled`.
    public let inFlight: InFlightRequests

    public init(
        configuration: MCPServerConfiguration, tools: any ToolProvider, revocations: SessionRevocations = SessionRevocations(),
        events: ServerEvents = ServerEvents(), inFlight: InFlightRequests = InFlightRequests()
    ) {
        self.configuration = configuration
        self.tools = tools
        self.revocations = revocations
        self.events = events
        self.inFlight = inFlight
    }

    // MARK: HTTP methods

    public func handlePost(headers: HTTPFields, body: [UInt8], caller: CallerIdentity? = nil) async -> MCPHTTPResponse {
        if let refusal = checkOrigin(headers) { return refusal }
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
        case .response:
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

    /// On a legacy session, opens the stream that carries
    /// `notifications/tools/list_changed`. Without a session there is no
    /// such stream (2026-07-28 clients use `subscriptions/listen`): 405,
    /// which Claude's probe accepts.
    public func handleGet(headers: HTTPFields) -> MCPHTTPResponse {
        if let refusal = checkOrigin(headers) { return refusal }
        guard let token = headers[.mcpSessionID] else { return .methodNotAllowed() }
        guard legacySession(token) != nil else {
            return .error(JSONRPCError(code: JSONRPCError.sessionNotFound, message: "Session not found"), status: .notFound)
        }
        guard headers.acceptance.eventStream else {
            return .error(
                JSONRPCError(code: JSONRPCError.invalidRequest, message: "Not Acceptable: the stream is text/event-stream"),
                status: .notAcceptable)
        }
        let notifyToolChanges = configuration.listChangedNotifications
        return .eventStream(first: Array(": stream open\n\n".utf8), events: events.subscribe()) { event in
            switch event {
            case .toolsListChanged:
                notifyToolChanges ? MCPHTTPResponse.sseEvent(Self.notification("notifications/tools/list_changed", params: [:])) : []
            case .keepAlive: MCPHTTPResponse.sseKeepAlive
            case .shutdown: nil
            }
        }
    }

    static func notification(_ method: String, params: JSONObject) -> [UInt8] {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if !params.isEmpty { message["params"] = .object(params) }
        return JSONValue.object(message).jsonBytes
    }

    /// Ends a legacy session. Without a session there is nothing to delete:
    /// the 2026-07-28 revision answers 405.
    public func handleDelete(headers: HTTPFields) -> MCPHTTPResponse {
        if let refusal = checkOrigin(headers) { return refusal }
        guard let token = headers[.mcpSessionID] else { return .methodNotAllowed() }
        guard let session = legacySession(token) else {
            return .error(JSONRPCError(code: JSONRPCError.sessionNotFound, message: "Session not found"), status: .notFound)
        }
        revocations.revoke(session, maximumAge: configuration.sessionSigner.maximumAge)
        return MCPHTTPResponse(status: .ok)
    }

    /// The 403 for a browser origin that is not allowed, if it is not.
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

    // MARK: 2026-07-28

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
        if method == "tools/call" {
            guard case .string(let name)? = params["name"] else {
                return fail(.invalidParams("tools/call needs params.name (a string)"))
            }
            guard let rawName = headers[.mcpName] else {
                return fail(.headerMismatch("Mcp-Name header is required for tools/call"))
            }
            guard let headerName = HTTPFields.decodeSentinel(rawName), headerName == name else {
                return fail(.headerMismatch("Mcp-Name header '\(rawName)' does not match params.name '\(name)'"))
            }
        }
        guard case .object(let meta)? = params["_meta"], case .object? = meta[MetaKey.clientCapabilities] else {
            return fail(.invalidParams("_meta.\(MetaKey.clientCapabilities) is required (an object)"))
        }
        let context = CallContext(era: .modern, protocolVersion: version, requestID: id, caller: caller)
        switch method {
        case "server/discover":
            var result = discoverResult()
            decorateModern(&result, cacheable: true)
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case "tools/list":
            return toolsList(id: id, params: params, context: context, eventStream: eventStream)
        case "tools/call":
            return await toolsCall(id: id, params: params, context: context, eventStream: eventStream)
        case "subscriptions/listen":
            return listen(id: id, params: params, fail: fail)
        default:
            return fail(.methodNotFound(method), .notFound)
        }
    }

    /// `subscriptions/listen`: an SSE stream that acknowledges the filter,
    /// then carries the notifications the client asked for and this server
    /// supports, until the client closes it or the server shuts down.
    func listen(id: JSONRPCID, params: JSONObject, fail: (JSONRPCError, HTTPResponse.Status) -> MCPHTTPResponse) -> MCPHTTPResponse {
        guard case .object(let filter)? = params["notifications"] else {
            return fail(.invalidParams("subscriptions/listen needs params.notifications (an object)"), .badRequest)
        }
        let wantsTools = filter["toolsListChanged"]?.boolValue == true && configuration.listChangedNotifications
        var honoured = JSONObject()
        if wantsTools { honoured["toolsListChanged"] = true }
        let subscription: JSONObject = [MetaKey.subscriptionID: id.json]
        let acknowledgement = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/subscriptions/acknowledged",
            params: ["_meta": .object(subscription), "notifications": .object(honoured)]))
        let changed = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/tools/list_changed", params: ["_meta": .object(subscription)]))
        var closing: JSONObject = ["resultType": "complete", "_meta": .object(subscription)]
        decorateModern(&closing, cacheable: false)
        let closed = MCPHTTPResponse.sseEvent(JSONRPCEncoder.result(id: id, result: closing))
        return .eventStream(first: acknowledgement, events: events.subscribe()) { event in
            switch event {
            case .toolsListChanged: wantsTools ? changed : []
            case .keepAlive: MCPHTTPResponse.sseKeepAlive
            case .shutdown: closed
            }
        }
    }

    func decorateModern(_ result: inout JSONObject, cacheable: Bool, perCaller: Bool = false) {
        result["resultType"] = "complete"
        if cacheable {
            result["ttlMs"] = .int(Int64(configuration.listTTLMilliseconds))
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

    var capabilities: JSONValue {
        ["tools": ["listChanged": .bool(configuration.listChangedNotifications)]]
    }

    func discoverResult() -> JSONObject {
        var result: JSONObject = [
            "supportedVersions": .array(ProtocolVersion.modern.map(JSONValue.string)),
            "capabilities": capabilities,
        ]
        if let instructions = configuration.instructions { result["instructions"] = .string(instructions) }
        return result
    }

    // MARK: Legacy (2025-03-26 … 2025-11-25)

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
        let context = CallContext(era: .legacy, protocolVersion: session.protocolVersion, requestID: id, caller: caller)
        switch method {
        case "ping":
            return .message(JSONRPCEncoder.result(id: id, result: [:]), eventStream: eventStream)
        case "tools/list":
            return toolsList(id: id, params: params, context: context, eventStream: eventStream)
        case "tools/call":
            return await inFlight.track(session: session.id, request: id) { signal in
                var context = context
                context.cancellation = signal
                return await toolsCall(id: id, params: params, context: context, eventStream: eventStream)
            }
        case "server/discover":
            // Claude has been seen probing with server/discover on a legacy
            // session and giving up on -32601; answering costs nothing.
            var result = discoverResult()
            decorateModern(&result, cacheable: true)
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        default:
            return .message(JSONRPCEncoder.error(id: id, error: .methodNotFound(method)), eventStream: eventStream)
        }
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
        headers[.mcpSessionID] = configuration.sessionSigner.mint(protocolVersion: version)
        return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream, headers: headers)
    }

    // MARK: Tools, both eras

    func toolsList(id: JSONRPCID, params: JSONObject, context: CallContext, eventStream: Bool) -> MCPHTTPResponse {
        let listing = tools.listing(for: context)
        var offset = 0
        if let cursor = params["cursor"] {
            guard case .string(let text) = cursor, let decoded = Self.decodeCursor(text) else {
                return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("Invalid cursor")), eventStream: eventStream)
            }
            guard decoded.generation == listing.generation else {
                return .message(
                    JSONRPCEncoder.error(id: id, error: .invalidParams("The tool list changed since this cursor was issued; list again from the start")),
                    eventStream: eventStream)
            }
            offset = min(decoded.offset, listing.descriptors.count)
        }
        let end = offset + min(configuration.pageSize, listing.descriptors.count - offset)
        var trailing = JSONObject()
        if end < listing.descriptors.count {
            trailing["nextCursor"] = .string(Self.encodeCursor(offset: end, generation: listing.generation))
        }
        if context.era == .modern { decorateModern(&trailing, cacheable: true, perCaller: listing.isPerCaller) }
        let body = JSONRPCEncoder.result(
            id: id, arrayKey: "tools", elements: listing.descriptors[offset..<end], trailing: trailing)
        return .message(body, eventStream: eventStream)
    }

    func toolsCall(id: JSONRPCID, params: JSONObject, context: CallContext, eventStream: Bool) async -> MCPHTTPResponse {
        guard case .string(let name)? = params["name"] else {
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("tools/call needs params.name (a string)")), eventStream: eventStream)
        }
        var arguments = JSONObject()
        switch params["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        default:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("params.arguments must be an object")), eventStream: eventStream)
        }
        switch await tools.callTool(named: name, arguments: arguments, context: context) {
        case .result(var result):
            if context.era == .modern { decorateModern(&result, cacheable: false) }
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

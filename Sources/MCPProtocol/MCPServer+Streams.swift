import GatehouseJSON
import HTTPTypes

// MARK: Notification streams

extension MCPServer {
    /// On a legacy session, opens the stream that carries
    /// `notifications/tools/list_changed`. Without a session there is no
    /// such stream (2026-07-28 clients use `subscriptions/listen`): 405,
    /// which Claude's probe accepts.
    public func handleGet(headers: HTTPFields) -> MCPHTTPResponse {
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
            case .promptsListChanged:
                notifyToolChanges ? MCPHTTPResponse.sseEvent(Self.notification("notifications/prompts/list_changed", params: [:])) : []
            case .resourcesListChanged:
                notifyToolChanges ? MCPHTTPResponse.sseEvent(Self.notification("notifications/resources/list_changed", params: [:])) : []
            case .keepAlive: MCPHTTPResponse.sseKeepAlive
            case .shutdown: nil
            }
        }
    }

    /// `subscriptions/listen`: an SSE stream that acknowledges the filter,
    /// then carries the notifications the client asked for and this server
    /// supports, until the client closes it or the server shuts down.
    func listen(_ request: MCPRequest) -> MCPHTTPResponse {
        let id = request.id
        guard case .object(let filter)? = request.params["notifications"] else {
            return .message(
                JSONRPCEncoder.error(id: id, error: .invalidParams("subscriptions/listen needs params.notifications (an object)")),
                status: .badRequest, eventStream: request.eventStream)
        }
        let wantsTools = filter["toolsListChanged"]?.boolValue == true && configuration.listChangedNotifications
        let wantsPrompts = filter["promptsListChanged"]?.boolValue == true && configuration.listChangedNotifications
        let wantsResources = filter["resourcesListChanged"]?.boolValue == true && configuration.listChangedNotifications
        var honoured = JSONObject()
        if wantsTools { honoured["toolsListChanged"] = true }
        if wantsPrompts { honoured["promptsListChanged"] = true }
        if wantsResources { honoured["resourcesListChanged"] = true }
        let subscription: JSONObject = [MetaKey.subscriptionID: id.json]
        let acknowledgement = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/subscriptions/acknowledged",
            params: ["_meta": .object(subscription), "notifications": .object(honoured)]))
        let changed = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/tools/list_changed", params: ["_meta": .object(subscription)]))
        let promptsChanged = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/prompts/list_changed", params: ["_meta": .object(subscription)]))
        let resourcesChanged = MCPHTTPResponse.sseEvent(Self.notification(
            "notifications/resources/list_changed", params: ["_meta": .object(subscription)]))
        var closing: JSONObject = ["resultType": "complete", "_meta": .object(subscription)]
        decorateModern(&closing, cacheable: false)
        let closed = MCPHTTPResponse.sseEvent(JSONRPCEncoder.result(id: id, result: closing))
        return .eventStream(first: acknowledgement, events: events.subscribe()) { event in
            switch event {
            case .toolsListChanged: wantsTools ? changed : []
            case .promptsListChanged: wantsPrompts ? promptsChanged : []
            case .resourcesListChanged: wantsResources ? resourcesChanged : []
            case .keepAlive: MCPHTTPResponse.sseKeepAlive
            case .shutdown: closed
            }
        }
    }

    static func notification(_ method: String, params: JSONObject) -> [UInt8] {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if !params.isEmpty { message["params"] = .object(params) }
        return JSONValue.object(message).jsonBytes
    }
}

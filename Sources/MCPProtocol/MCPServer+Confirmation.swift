import Foundation
import GatehouseJSON
import HTTPTypes

// MARK: Confirmation before a call (form-mode elicitation), both eras

extension MCPServer {
    /// The key of the confirmation among a call's input requests.
    static let confirmationKey = "confirm"

    /// A question with no fields: accepting it is the yes.
    static func confirmationParams(_ message: String) -> JSONValue {
        ["mode": "form", "message": .string(message), "requestedSchema": ["type": "object", "properties": [:]]]
    }

    /// Asks the user before the call runs: an `InputRequiredResult` with a
    /// signed, short-lived `requestState` (2026-07-28, any replica can
    /// finish the call), or an `elicitation/create` on the call's own SSE
    /// stream (legacy sessions), after which the call runs or is refused.
    func askConfirmation(_ message: String, request: MCPRequest, name: String, arguments: JSONObject) -> MCPHTTPResponse {
        let (id, eventStream, context) = (request.id, request.eventStream, request.context)
        guard context.supportsFormElicitation else {
            var result: JSONObject = [
                "content": [["type": "text", "text": "This tool asks the user to confirm each call, and this client cannot ask; the call was not made."]],
                "isError": true,
            ]
            if context.era == .modern { decorateModern(&result, cacheable: false) }
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        }
        let nonce = (0..<12).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        switch context.era {
        case .modern:
            let state = RequestState(
                subject: context.caller?.subject, tool: name, arguments: arguments, elicitationID: RequestState.confirmationPrefix + nonce,
                now: Int64(Date().timeIntervalSince1970), lifetime: RequestState.confirmationLifetime)
            var result: JSONObject = [
                "resultType": "input_required",
                "inputRequests": [Self.confirmationKey: ["method": "elicitation/create", "params": Self.confirmationParams(message)]],
                "requestState": .string(state.sealed(with: configuration.sessionSigner)),
            ]
            result["_meta"] = [MetaKey.serverInfo: serverInfo]
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case .legacy:
            guard let session = request.session else {
                return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("a confirmation needs a session")), eventStream: eventStream)
            }
            return askOnStream(message, session: session, request: request, name: name, arguments: arguments, nonce: nonce)
        }
    }

    /// The legacy round trip: the question goes out as the first event of
    /// the call's SSE answer; the client posts its answer as a JSON-RPC
    /// response; the call then runs (or not) and its result ends the stream.
    func askOnStream(
        _ message: String, session: LegacySession, request: MCPRequest, name: String, arguments: JSONObject, nonce: String
    ) -> MCPHTTPResponse {
        let questionID = JSONRPCID.string("gatehouse-confirm-" + nonce)
        var params = Self.confirmationParams(message).objectValue ?? [:]
        // Before 2025-11-25 a question had no mode.
        if !ProtocolVersion.hasURLElicitation(session.protocolVersion) { params["mode"] = nil }
        let question: JSONValue = ["jsonrpc": "2.0", "id": questionID.json, "method": "elicitation/create", "params": .object(params)]
        let timeout = configuration.confirmationTimeout
        let stream = AsyncStream<[UInt8]> { continuation in
            let task = Task {
                let answer = await questions.answer(session: session.id, request: questionID, timeout: timeout)
                var request = request
                request.context.confirmation = Self.confirmationAnswer(answer)
                let body = await finishConfirmedCall(request, name: name, arguments: arguments)
                continuation.yield(MCPHTTPResponse.sseEvent(body))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        fields[.xAccelBuffering] = "no"
        return MCPHTTPResponse(status: .ok, headerFields: fields, body: MCPHTTPResponse.sseEvent(question.jsonBytes), stream: stream)
    }

    /// The call after its question was answered, as the JSON-RPC message
    /// that ends the stream (the HTTP status is already sent).
    func finishConfirmedCall(_ request: MCPRequest, name: String, arguments: JSONObject) async -> [UInt8] {
        switch await tools.callTool(named: name, arguments: arguments, context: request.context) {
        case .result(let result):
            return JSONRPCEncoder.result(id: request.id, result: result)
        case .unknownTool:
            return JSONRPCEncoder.error(id: request.id, error: .invalidParams("Unknown tool: \(name)"))
        case .forbidden(let scopes):
            return JSONRPCEncoder.error(
                id: request.id,
                error: JSONRPCError(code: JSONRPCError.invalidRequest, message: "Forbidden: \(name) needs the scopes \(scopes.joined(separator: " "))"))
        case .userActionRequired(let action):
            let result: JSONObject = ["content": [["type": "text", "text": .string(action.fallbackText)]], "isError": true]
            return JSONRPCEncoder.result(id: request.id, result: result)
        case .confirmationRequired:
            let result: JSONObject = ["content": [["type": "text", "text": "The confirmation could not be completed; the call was not made."]], "isError": true]
            return JSONRPCEncoder.result(id: request.id, result: result)
        }
    }

    /// What an `ElicitResult` says; no answer (time ran out, an error) is a
    /// cancellation.
    static func confirmationAnswer(_ result: JSONObject?) -> ConfirmationAnswer {
        switch result?["action"]?.stringValue {
        case "accept": .accepted
        case "decline": .declined
        default: .cancelled
        }
    }

    /// A 2026-07-28 call retried with a confirmation's state: used once,
    /// and the answer must be there.
    func checkConfirmation(_ request: inout MCPRequest, state: RequestState, sealed: String) -> MCPHTTPResponse? {
        let (id, eventStream) = (request.id, request.eventStream)
        guard case .object(let answer)? = request.params["inputResponses"]?[Self.confirmationKey] else {
            return .message(
                JSONRPCEncoder.error(id: id, error: .invalidParams("params.inputResponses.\(Self.confirmationKey) is required with this requestState")),
                eventStream: eventStream)
        }
        guard spentStates.spend(sealed, expiresAt: state.expiresAt, now: Int64(Date().timeIntervalSince1970)) else {
            return .message(
                JSONRPCEncoder.error(id: id, error: .invalidParams("Invalid requestState: it was already used; call the tool again without it")),
                eventStream: eventStream)
        }
        request.context.confirmation = Self.confirmationAnswer(answer)
        return nil
    }
}

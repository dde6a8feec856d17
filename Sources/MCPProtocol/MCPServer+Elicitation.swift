import Foundation
import GatehouseJSON

// MARK: When a tool needs the user (URL-mode elicitation), both eras

extension MCPServer {
    /// The key of the one input request a tool call asks for.
    static let inputRequestKey = "user_action"

    /// Asks the client to send the user to a page: an `InputRequiredResult`
    /// (2026-07-28) or the `-32042` error (2025-11-25) when the client can
    /// open URLs, a tool error giving the URL otherwise.
    func userAction(_ action: UserActionRequest, request: MCPRequest, name: String, arguments: JSONObject) -> MCPHTTPResponse {
        let (id, eventStream, context) = (request.id, request.eventStream, request.context)
        guard context.supportsURLElicitation else {
            var result: JSONObject = ["content": [["type": "text", "text": .string(action.fallbackText)]], "isError": true]
            if context.era == .modern { decorateModern(&result, cacheable: false) }
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        }
        switch context.era {
        case .modern:
            let state = RequestState(
                subject: context.caller?.subject, tool: name, arguments: arguments, elicitationID: action.elicitationID,
                now: Int64(Date().timeIntervalSince1970))
            var result: JSONObject = [
                "resultType": "input_required",
                "inputRequests": [
                    Self.inputRequestKey: [
                        "method": "elicitation/create",
                        // The 2026-07-28 schema names no `elicitationId`; it is
                        // sent as in 2025-11-25 so a client can tell one link
                        // from the next, and clients ignore what they do not know.
                        "params": [
                            "mode": "url", "message": .string(action.message), "url": .string(action.url),
                            "elicitationId": .string(action.elicitationID),
                        ],
                    ]
                ],
                "requestState": .string(state.sealed(with: configuration.sessionSigner)),
            ]
            result["_meta"] = [MetaKey.serverInfo: serverInfo]
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case .legacy:
            let error = JSONRPCError(
                code: JSONRPCError.urlElicitationRequired, message: "This request needs the user to open a page first.",
                data: [
                    "elicitations": [
                        [
                            "mode": "url", "elicitationId": .string(action.elicitationID), "url": .string(action.url),
                            "message": .string(action.message),
                        ]
                    ]
                ])
            return .message(JSONRPCEncoder.error(id: id, error: error), eventStream: eventStream)
        }
    }

    /// A retried 2026-07-28 call: its `requestState` must be ours, for this
    /// caller, tool and arguments, and current; a user who declined is not
    /// asked again. Nil lets the call run.
    func checkRetry(_ request: inout MCPRequest, name: String, arguments: JSONObject) -> MCPHTTPResponse? {
        guard let raw = request.params["requestState"] else { return nil }
        let (id, eventStream) = (request.id, request.eventStream)
        guard case .string(let text) = raw else {
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("params.requestState must be a string")), eventStream: eventStream)
        }
        let state: RequestState
        do {
            state = try RequestState.open(
                text, signer: configuration.sessionSigner, subject: request.context.caller?.subject, tool: name, arguments: arguments,
                now: Int64(Date().timeIntervalSince1970))
        } catch {
            let reason =
                switch error {
                case .malformed: "it was not issued by this server or was altered"
                case .expired: "it has expired; call the tool again without it"
                case .otherCaller: "it was issued to another user"
                case .otherCall: "it was issued for another tool call"
                }
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("Invalid requestState: \(reason)")), eventStream: eventStream)
        }
        switch request.params["inputResponses"] {
        case nil, .object?: break
        default:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("params.inputResponses must be an object")), eventStream: eventStream)
        }
        if state.isConfirmation {
            return checkConfirmation(&request, state: state, sealed: text)
        }
        if case .object(let responses)? = request.params["inputResponses"], let action = responses[Self.inputRequestKey]?["action"]?.stringValue,
            action == "decline" || action == "cancel"
        {
            var result: JSONObject = [
                "content": [
                    [
                        "type": "text",
                        "text": .string(
                            "The user \(action == "decline" ? "declined" : "dismissed") the page that \(name) asked them to open; "
                                + "the tool needs that step to run, so it did not run. Ask the user before calling it again."),
                    ]
                ],
                "isError": true,
            ]
            decorateModern(&result, cacheable: false)
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        }
        return nil
    }
}

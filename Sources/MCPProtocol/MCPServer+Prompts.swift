import HTTPTypes
import GatehouseJSON

// MARK: Prompts and resources, both eras

extension MCPServer {
    /// A cacheable list result: one page of `listing` under `key`, with the
    /// cursor and, in 2026-07-28, the cache hints `tools/list` gets.
    func pagedList(_ request: MCPRequest, key: String, listing: ToolListing) -> MCPHTTPResponse {
        let (id, eventStream) = (request.id, request.eventStream)
        var offset = 0
        if let cursor = request.params["cursor"] {
            guard case .string(let text) = cursor, let decoded = Self.decodeCursor(text) else {
                return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("Invalid cursor")), eventStream: eventStream)
            }
            guard decoded.generation == listing.generation else {
                return .message(
                    JSONRPCEncoder.error(id: id, error: .invalidParams("The list changed since this cursor was issued; list again from the start")),
                    eventStream: eventStream)
            }
            offset = min(decoded.offset, listing.descriptors.count)
        }
        let end = offset + min(configuration.pageSize, listing.descriptors.count - offset)
        var trailing = JSONObject()
        if end < listing.descriptors.count {
            trailing["nextCursor"] = .string(Self.encodeCursor(offset: end, generation: listing.generation))
        }
        if request.context.era == .modern {
            decorateModern(&trailing, cacheable: true, perCaller: listing.isPerCaller, changedRecently: listing.changedRecently)
        }
        return .message(
            JSONRPCEncoder.result(id: id, arrayKey: key, elements: listing.descriptors[offset..<end], trailing: trailing),
            eventStream: eventStream)
    }

    func promptsList(_ request: MCPRequest) -> MCPHTTPResponse {
        pagedList(request, key: "prompts", listing: tools.promptListing(for: request.context))
    }

    /// `prompts/get`: the prompt's messages with the arguments filled in.
    func promptsGet(_ request: MCPRequest) -> MCPHTTPResponse {
        let (id, eventStream) = (request.id, request.eventStream)
        var arguments: [String: String] = [:]
        switch request.params["arguments"] {
        case nil, .null?: break
        case .object(let object)?:
            for (name, value) in object {
                guard case .string(let text) = value else {
                    return .message(
                        JSONRPCEncoder.error(id: id, error: .invalidParams("prompt arguments are strings; '\(name)' is not")),
                        eventStream: eventStream)
                }
                arguments[name] = text
            }
        default:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("params.arguments must be an object")), eventStream: eventStream)
        }
        switch tools.prompt(named: request.name, arguments: arguments, context: request.context) {
        case .result(var result):
            if request.context.era == .modern { decorateModern(&result, cacheable: false) }
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case .unknownPrompt:
            return .message(JSONRPCEncoder.error(id: id, error: .invalidParams("Unknown prompt: \(request.name)")), eventStream: eventStream)
        case .invalidArguments(let problem):
            return .message(
                JSONRPCEncoder.error(id: id, error: .invalidParams("Invalid arguments for prompt \(request.name): \(problem)")),
                eventStream: eventStream)
        }
    }

    func resourcesList(_ request: MCPRequest) -> MCPHTTPResponse {
        pagedList(request, key: "resources", listing: tools.resourceListing(for: request.context))
    }

    func resourceTemplatesList(_ request: MCPRequest) -> MCPHTTPResponse {
        pagedList(request, key: "resourceTemplates", listing: tools.resourceTemplateListing(for: request.context))
    }

    /// `resources/read`. An unknown URI is −32602 in 2026-07-28 and −32002
    /// before, with the URI in `data`; a failed read is −32603 saying why.
    func resourcesRead(_ request: MCPRequest) async -> MCPHTTPResponse {
        let (id, eventStream) = (request.id, request.eventStream)
        switch await tools.readResource(request.name, context: request.context) {
        case .contents(let contents):
            var result: JSONObject = ["contents": .array(contents)]
            // A read result is cacheable (2026-07-28); what a signed-in user
            // reads may be theirs alone.
            if request.context.era == .modern { decorateModern(&result, cacheable: true, perCaller: request.context.caller != nil) }
            return .message(JSONRPCEncoder.result(id: id, result: result), eventStream: eventStream)
        case .notFound:
            let code = request.context.era == .modern ? JSONRPCError.invalidParams : JSONRPCError.resourceNotFound
            let error = JSONRPCError(code: code, message: "Resource not found", data: ["uri": .string(request.name)])
            return .message(JSONRPCEncoder.error(id: id, error: error), eventStream: eventStream)
        case .forbidden(let scopes):
            var headers = HTTPFields()
            if let challenge = configuration.insufficientScopeChallenge { headers[.wwwAuthenticate] = challenge(scopes) }
            let error = JSONRPCError(
                code: JSONRPCError.invalidRequest, message: "Forbidden: \(request.name) needs the scopes \(scopes.joined(separator: " "))")
            return .message(JSONRPCEncoder.error(id: id, error: error), status: .forbidden, eventStream: eventStream, headers: headers)
        case .failed(let reason):
            return .message(
                JSONRPCEncoder.error(id: id, error: JSONRPCError(code: JSONRPCError.internalError, message: reason)), eventStream: eventStream)
        }
    }
}

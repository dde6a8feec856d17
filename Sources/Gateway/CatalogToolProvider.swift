import Caller
import Catalog
import ConnectorModel
import GatehouseJSON
import Logging
import MCPProtocol
import Upstream

/// Serves MCP tool requests from the current catalog snapshot through the
/// upstream invoker, and accounts for each call in metrics and the audit log.
public struct CatalogToolProvider: ToolProvider {
    public let store: CatalogStore
    public let invoker: ToolInvoker
    let metrics: GatewayMetrics
    let audit: AuditLog
    /// Every scope a call to a tool needs: the endpoint's and the tool's.
    let requiredScopes: @Sendable ([String]) -> [String]
    /// The extra endpoint this provider serves (its view of the catalogue),
    /// or nil for `/mcp` and every tool.
    public let endpoint: String?
    /// Whether a tool with `confirm:` runs for a client that cannot ask.
    let confirmWithoutElicitation: Bool
    /// Offers the rest of answers cut at `max_bytes`, and reads it back.
    let answerParts: AnswerParts
    let logger: Logger

    public init(
        store: CatalogStore, invoker: ToolInvoker, metrics: GatewayMetrics, audit: AuditLog,
        requiredScopes: @escaping @Sendable ([String]) -> [String] = { $0 }, endpoint: String? = nil,
        confirmWithoutElicitation: Bool = false, answerParts: AnswerParts = AnswerParts(), logger: Logger = Logger(label: "gatehouse")
    ) {
        self.logger = logger
        self.answerParts = answerParts
        self.store = store
        self.invoker = invoker
        self.metrics = metrics
        self.audit = audit
        self.requiredScopes = requiredScopes
        self.endpoint = endpoint
        self.confirmWithoutElicitation = confirmWithoutElicitation
    }

    /// This endpoint's part of the current snapshot.
    var catalog: Catalog {
        let catalog = store.catalog
        guard let endpoint else { return catalog }
        return catalog.endpoints[endpoint] ?? .empty
    }

    /// How long lists say they are fresh for less time after a change.
    static let recentChangeWindow: Duration = .seconds(60)

    public func listing(for context: CallContext) -> ToolListing {
        let catalog = self.catalog
        let recent = ContinuousClock.now - catalog.changedAt < Self.recentChangeWindow
        guard let caller = context.caller, catalog.hasScopedTools else {
            return ToolListing(descriptors: catalog.descriptors, generation: catalog.generation, changedRecently: recent)
        }
        // Each caller sees only the tools their token allows.
        var descriptors: [[UInt8]] = []
        descriptors.reserveCapacity(catalog.tools.count)
        for tool in catalog.tools where tool.isAllowed(for: caller.scopes) { descriptors.append(tool.descriptor) }
        return ToolListing(descriptors: descriptors, generation: catalog.generation, isPerCaller: true, changedRecently: recent)
    }

    public func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        let started = ContinuousClock.now
        let caller = context.caller ?? .anonymous
        // One snapshot for the whole call: a reload meanwhile does not matter.
        guard let tool = catalog.tool(named: name) else {
            RequestTrace.current?.noteToolCall(name, connector: nil, outcome: "unknown_tool")
            audit.record(
                tool: name, connector: nil, caller: caller, arguments: arguments, outcome: "unknown_tool", invocation: nil,
                latency: ContinuousClock.now - started, era: context.era.rawValue, endpoint: endpoint)
            return .unknownTool
        }
        let connector = tool.target.connector
        if context.caller != nil, !tool.isAllowed(for: caller.scopes) {
            metrics.toolCall(tool: name, connector: connector, outcome: "forbidden")
            RequestTrace.current?.noteToolCall(name, connector: connector, outcome: "forbidden")
            audit.record(
                tool: name, connector: connector, caller: caller, arguments: arguments, outcome: "forbidden", invocation: nil,
                latency: ContinuousClock.now - started, era: context.era.rawValue, endpoint: endpoint)
            return .forbidden(requiredScopes: requiredScopes(tool.definition.scopes))
        }
        var confirmation: String?
        if let question = tool.definition.confirmation {
            let decision = confirm(question, tool: tool, arguments: arguments, context: context)
            confirmation = decision.audit
            metrics.confirmation(decision.audit)
            if let early = decision.outcome {
                if decision.audit != "asked" { metrics.toolCall(tool: name, connector: connector, outcome: "not_confirmed") }
                RequestTrace.current?.noteToolCall(
                    name, connector: connector, outcome: decision.audit == "asked" ? "ok" : "not_confirmed")
                audit.record(
                    tool: name, connector: connector, caller: caller, arguments: arguments,
                    outcome: decision.audit == "asked" ? "confirmation_asked" : "not_confirmed", invocation: nil,
                    latency: ContinuousClock.now - started, era: context.era.rawValue, confirmation: decision.audit, endpoint: endpoint)
                return early
            }
        }
        let outcome = await invoker.invoke(
            tool.definition, target: tool.target, arguments: arguments, caller: caller,
            abandonments: context.cancellation.map { [SignalAbandonment(signal: $0)] } ?? [])
        metrics.toolCall(tool: name, connector: connector, outcome: outcome.kind.rawValue)
        RequestTrace.current?.noteToolCall(name, connector: connector, outcome: outcome.kind.rawValue)
        if let upstream = outcome.upstreamDuration { metrics.upstreamDuration(connector: connector, upstream) }
        if outcome.attempts > 1 { metrics.retries(connector: connector, count: outcome.attempts - 1) }
        if let mismatch = outcome.result.schemaMismatch {
            // Lenient: served as text; the drift is for the operator to see.
            metrics.outputSchemaMismatch(tool: name, connector: connector)
            logger.warning(
                "answer does not match the tool's output_schema; sent without structuredContent",
                metadata: ["tool": .string(name), "connector": .string(connector), "problems": .string(mismatch)])
        }
        audit.record(
            tool: name, connector: connector, caller: caller, arguments: arguments, outcome: outcome.kind.rawValue,
            invocation: outcome, latency: ContinuousClock.now - started, era: context.era.rawValue, confirmation: confirmation,
            endpoint: endpoint)
        if let action = outcome.userAction {
            return .userActionRequired(
                UserActionRequest(elicitationID: action.elicitationID, url: action.url, message: action.message, fallbackText: action.fallbackText))
        }
        guard outcome.result.overflow != nil else { return .result(outcome.result.json) }
        var result = outcome.result
        await answerParts.offerRest(of: &result, tool: tool.definition, arguments: arguments, caller: context.caller?.subject, endpoint: endpoint)
        return .result(result.json)
    }
}

extension CatalogToolProvider {
    public var features: ServedFeatures {
        let catalog = self.catalog
        // Any tool answer may link to its rest, which is read as a resource.
        return ServedFeatures(
            prompts: !catalog.prompts.isEmpty,
            resources: !catalog.resources.isEmpty || !catalog.resourceTemplates.isEmpty || !catalog.tools.isEmpty)
    }

    public func resourceListing(for context: CallContext) -> ToolListing {
        list(\.resources, context: context)
    }

    public func resourceTemplateListing(for context: CallContext) -> ToolListing {
        list(\.resourceTemplates, context: context)
    }

    /// Resources a caller may read, filtered by scope like tools.
    func list(_ kind: KeyPath<Catalog, [CatalogResource]>, context: CallContext) -> ToolListing {
        let catalog = self.catalog
        let recent = ContinuousClock.now - catalog.changedAt < Self.recentChangeWindow
        let all = catalog[keyPath: kind]
        guard let caller = context.caller else {
            return ToolListing(descriptors: all.map(\.descriptor), generation: catalog.generation, changedRecently: recent)
        }
        return ToolListing(
            descriptors: all.filter { $0.isAllowed(for: caller.scopes) }.map(\.descriptor), generation: catalog.generation,
            isPerCaller: catalog.hasScopedTools || all.contains { !$0.definition.request.scopes.isEmpty }, changedRecently: recent)
    }

    /// Reads a resource through the invoker, as a tool call: same
    /// credentials, limits, shaping and audit line.
    public func readResource(_ uri: String, context: CallContext) async -> ResourceOutcome {
        if AnswerLinks.isLink(uri) { return await readAnswerPart(uri, context: context) }
        let started = ContinuousClock.now
        let caller = context.caller ?? .anonymous
        guard let (resource, arguments) = catalog.resource(at: uri) else { return .notFound }
        let request = resource.definition.request
        let connector = resource.target.connector
        if context.caller != nil, !resource.isAllowed(for: caller.scopes) {
            audit.record(
                tool: request.name, connector: connector, caller: caller, arguments: arguments, outcome: "forbidden", invocation: nil,
                latency: ContinuousClock.now - started, era: context.era.rawValue, endpoint: endpoint)
            return .forbidden(requiredScopes: requiredScopes(request.scopes))
        }
        let outcome = await invoker.invoke(
            request, target: resource.target, arguments: arguments, caller: caller,
            abandonments: context.cancellation.map { [SignalAbandonment(signal: $0)] } ?? [])
        metrics.toolCall(tool: request.name, connector: connector, outcome: outcome.kind.rawValue)
        if let upstream = outcome.upstreamDuration { metrics.upstreamDuration(connector: connector, upstream) }
        audit.record(
            tool: request.name, connector: connector, caller: caller, arguments: arguments, outcome: outcome.kind.rawValue,
            invocation: outcome, latency: ContinuousClock.now - started, era: context.era.rawValue, endpoint: endpoint)
        if let action = outcome.userAction { return .failed(action.fallbackText) }
        let result = outcome.result
        if result.isError {
            if outcome.upstreamStatus == 404 { return .notFound }
            let text = result.joinedText
            return .failed(text.isEmpty ? "The resource could not be read." : text)
        }
        let mimeType = resource.definition.mimeType ?? result.mimeType
        return .contents(result.content.map { block in
            var entry: JSONObject = ["uri": .string(uri)]
            if let mimeType { entry["mimeType"] = .string(mimeType) }
            if let text = block["text"]?.stringValue {
                entry["text"] = .string(text)
            } else if let data = block["data"]?.stringValue ?? block["resource"]?["blob"]?.stringValue {
                entry["blob"] = .string(data)
            }
            return .object(entry)
        })
    }

    public func promptListing(for context: CallContext) -> ToolListing {
        let catalog = self.catalog
        return ToolListing(
            descriptors: catalog.promptDescriptors, generation: catalog.generation,
            changedRecently: ContinuousClock.now - catalog.changedAt < Self.recentChangeWindow)
    }

    public func prompt(named name: String, arguments: [String: String], context: CallContext) -> PromptOutcome {
        guard let prompt = catalog.prompt(named: name) else { return .unknownPrompt }
        do {
            let messages = try prompt.definition.render(arguments)
            var result: JSONObject = [
                "messages": .array(messages.map { ["role": .string($0.role.rawValue), "content": ["type": "text", "text": .string($0.text)]] })
            ]
            if let description = prompt.definition.description { result["description"] = .string(description) }
            return .result(result)
        } catch {
            return .invalidArguments(error.description)
        }
    }
}

extension CatalogToolProvider {
    /// What a tool that asks first does with this call: ask, go on, or
    /// stop with a result saying why nothing was done. `audit` is the
    /// confirmation field of the audit line.
    func confirm(_ question: Confirmation, tool: CatalogTool, arguments: JSONObject, context: CallContext)
        -> (outcome: ToolCallOutcome?, audit: String)
    {
        let title = tool.definition.title ?? tool.definition.annotations.title ?? tool.name
        switch context.confirmation {
        case .accepted?:
            return (nil, "accepted")
        case .declined?, .cancelled?:
            let answer = context.confirmation == .declined ? "declined" : "cancelled"
            let text =
                "The user \(answer == "declined" ? "declined" : "dismissed") the confirmation for \(title); the call was not made. "
                + "Do not retry it unless the user asks again."
            return (.result(ToolResultJSON.error(text)), answer)
        case nil:
            if context.supportsFormElicitation {
                return (.confirmationRequired(message: question.render(toolTitle: title, arguments: arguments)), "asked")
            }
            if confirmWithoutElicitation { return (nil, "not_asked") }
            let text =
                "\(title) asks the user to confirm each call, and this client cannot show the question; the call was not made. "
                + "Use a client that supports elicitation, or ask an administrator."
            return (.result(ToolResultJSON.error(text)), "unavailable")
        }
    }
}

/// Tool results made here rather than from an upstream answer.
enum ToolResultJSON {
    static func error(_ text: String) -> JSONObject {
        ["content": [["type": "text", "text": .string(text)]], "isError": true]
    }
}

extension Duration {
    /// Milliseconds with microsecond resolution, for log lines.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return (Double(seconds) * 1_000_000 + Double(attoseconds / 1_000_000_000_000)).rounded() / 1000
    }
}

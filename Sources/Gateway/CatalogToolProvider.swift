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

    public init(
        store: CatalogStore, invoker: ToolInvoker, metrics: GatewayMetrics, audit: AuditLog,
        requiredScopes: @escaping @Sendable ([String]) -> [String] = { $0 }
    ) {
        self.store = store
        self.invoker = invoker
        self.metrics = metrics
        self.audit = audit
        self.requiredScopes = requiredScopes
    }

    public func listing(for context: CallContext) -> ToolListing {
        let catalog = store.catalog
        guard let caller = context.caller, catalog.hasScopedTools else {
            return ToolListing(descriptors: catalog.descriptors, generation: catalog.generation)
        }
        // Each caller sees only the tools their token allows.
        var descriptors: [[UInt8]] = []
        descriptors.reserveCapacity(catalog.tools.count)
        for tool in catalog.tools where tool.isAllowed(for: caller.scopes) { descriptors.append(tool.descriptor) }
        return ToolListing(descriptors: descriptors, generation: catalog.generation, isPerCaller: true)
    }

    public func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        let started = ContinuousClock.now
        let caller = context.caller ?? .anonymous
        // One snapshot for the whole call: a reload meanwhile does not matter.
        guard let tool = store.catalog.tool(named: name) else {
            audit.record(
                tool: name, connector: nil, caller: caller, arguments: arguments, outcome: "unknown_tool", invocation: nil,
                latency: ContinuousClock.now - started, era: context.era.rawValue)
            return .unknownTool
        }
        let connector = tool.target.connector
        if context.caller != nil, !tool.isAllowed(for: caller.scopes) {
            metrics.toolCall(tool: name, connector: connector, outcome: "forbidden")
            audit.record(
                tool: name, connector: connector, caller: caller, arguments: arguments, outcome: "forbidden", invocation: nil,
                latency: ContinuousClock.now - started, era: context.era.rawValue)
            return .forbidden(requiredScopes: requiredScopes(tool.definition.scopes))
        }
        let outcome = await invoker.invoke(
            tool.definition, target: tool.target, arguments: arguments, caller: caller,
            abandonments: context.cancellation.map { [SignalAbandonment(signal: $0)] } ?? [])
        metrics.toolCall(tool: name, connector: connector, outcome: outcome.kind.rawValue)
        if let upstream = outcome.upstreamDuration { metrics.upstreamDuration(connector: connector, upstream) }
        if outcome.attempts > 1 { metrics.retries(connector: connector, count: outcome.attempts - 1) }
        audit.record(
            tool: name, connector: connector, caller: caller, arguments: arguments, outcome: outcome.kind.rawValue,
            invocation: outcome, latency: ContinuousClock.now - started, era: context.era.rawValue)
        if let action = outcome.userAction {
            return .userActionRequired(
                UserActionRequest(elicitationID: action.elicitationID, url: action.url, message: action.message, fallbackText: action.fallbackText))
        }
        return .result(outcome.result.json)
    }
}

extension Duration {
    /// Milliseconds with microsecond resolution, for log lines.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return (Double(seconds) * 1_000_000 + Double(attoseconds / 1_000_000_000_000)).rounded() / 1000
    }
}

import Catalog
import ConnectorModel
import GatehouseJSON
import Logging
import MCPProtocol
import Upstream

/// Serves MCP tool requests from the current catalog snapshot through the
/// upstream invoker.
public struct CatalogToolProvider: ToolProvider {
    public let store: CatalogStore
    public let invoker: ToolInvoker
    public let logger: Logger
    /// Every scope a call to a tool needs: the endpoint's and the tool's.
    let requiredScopes: @Sendable ([String]) -> [String]

    public init(
        store: CatalogStore, invoker: ToolInvoker, logger: Logger,
        requiredScopes: @escaping @Sendable ([String]) -> [String] = { $0 }
    ) {
        self.store = store
        self.invoker = invoker
        self.logger = logger
        self.requiredScopes = requiredScopes
    }

    public func listing(for caller: CallContext) -> ToolListing {
        let catalog = store.catalog
        guard let identity = caller.principal as? CallerIdentity, catalog.hasScopedTools else {
            return ToolListing(descriptors: catalog.descriptors, generation: catalog.generation)
        }
        // Each caller sees only the tools their token allows.
        var descriptors: [[UInt8]] = []
        descriptors.reserveCapacity(catalog.tools.count)
        for tool in catalog.tools where tool.isAllowed(for: identity.scopes) { descriptors.append(tool.descriptor) }
        return ToolListing(descriptors: descriptors, generation: catalog.generation, isPerCaller: true)
    }

    public func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome {
        // One snapshot for the whole call: a reload meanwhile does not matter.
        guard let tool = store.catalog.tool(named: name) else { return .unknownTool }
        if let identity = context.principal as? CallerIdentity, !tool.isAllowed(for: identity.scopes) {
            return .forbidden(requiredScopes: requiredScopes(tool.definition.scopes))
        }
        let caller = context.principal as? CallerIdentity ?? .anonymous
        let started = ContinuousClock.now
        let outcome = await invoker.invoke(tool.definition, target: tool.target, arguments: arguments, caller: caller)
        let elapsed = ContinuousClock.now - started
        logger.info(
            "tool call",
            metadata: [
                "tool": .string(name),
                "connector": .string(tool.target.connector),
                "subject": .string(caller.subject ?? "anonymous"),
                "upstream_status": .string(outcome.upstreamStatus.map(String.init) ?? "none"),
                "is_error": .stringConvertible(outcome.result.isError),
                "latency_ms": .stringConvertible(elapsed.milliseconds),
                "era": .string(context.era.rawValue),
            ])
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

import ConnectorModel
import GatehouseJSON

/// An immutable snapshot of every served tool.
///
/// A reload builds a new catalog beside the current one and swaps a single
/// reference, so a call in flight keeps the snapshot it started with.
public final class Catalog: Sendable {
    /// Sorted by name: `tools/list` order is deterministic, which keeps client
    /// caches and prompt caches warm.
    public let tools: [CatalogTool]
    public let connectors: [ConnectorSummary]
    /// Increases with every reload; part of pagination cursors so a cursor
    /// from an older snapshot is recognised.
    public let generation: UInt64
    /// Every tool's encoded descriptor, in `tools` order.
    public let descriptors: [[UInt8]]
    /// Whether any tool needs scopes, so unscoped catalogs skip filtering.
    public let hasScopedTools: Bool
    /// Every scope some tool needs, sorted.
    public let scopes: [String]
    /// Every claim some tool reads through `{{ user.claims.NAME }}`.
    public let userClaims: Set<String>
    /// The extra endpoints (`endpoints.yaml`), in file order.
    public let endpointDefinitions: [EndpointDefinition]
    /// Each extra endpoint's view: a catalogue of the tools it serves.
    public let endpoints: [String: Catalog]
    /// When the tool lists last changed: lists say they are fresh for
    /// less time for a while after.
    public let changedAt: ContinuousClock.Instant
    /// Prompts, sorted by name, and their encoded descriptors.
    public let prompts: [CatalogPrompt]
    public let promptDescriptors: [[UInt8]]
    /// Resources with a fixed URI, and resource templates, each sorted by name.
    public let resources: [CatalogResource]
    public let resourceTemplates: [CatalogResource]
    private let index: [String: Int]

    public init(
        tools: [CatalogTool], connectors: [ConnectorSummary] = [], generation: UInt64 = 1, endpoints: [EndpointDefinition] = [],
        changedAt: ContinuousClock.Instant = .now, prompts: [CatalogPrompt] = [], resources: [CatalogResource] = []
    ) {
        self.changedAt = changedAt
        let sortedResources = resources.sorted { $0.name < $1.name }
        self.resources = sortedResources.filter { !$0.isTemplate }
        self.resourceTemplates = sortedResources.filter(\.isTemplate)
        let sortedPrompts = prompts.sorted { $0.name < $1.name }
        self.prompts = sortedPrompts
        self.promptDescriptors = sortedPrompts.map(\.descriptor)
        let sorted = tools.sorted { $0.name < $1.name }
        self.tools = sorted
        self.connectors = connectors
        self.generation = generation
        var index: [String: Int] = [:]
        index.reserveCapacity(sorted.count)
        for (position, tool) in sorted.enumerated() { index[tool.name] = position }
        self.index = index
        self.descriptors = sorted.map(\.descriptor)
        let scopes = Set(sorted.flatMap(\.definition.scopes))
        self.hasScopedTools = !scopes.isEmpty
        self.scopes = scopes.sorted()
        var claims = Set<String>()
        for tool in sorted {
            for case .claim(let name) in tool.definition.userFields { claims.insert(name) }
        }
        self.userClaims = claims
        self.endpointDefinitions = endpoints
        var views: [String: Catalog] = [:]
        for endpoint in endpoints {
            let selected = sorted.filter { endpoint.includes($0.definition, connector: $0.target.connector) }
            // Prompts are text, not calls: an endpoint serves those of the
            // connectors it serves.
            let prompts = sortedPrompts.filter { endpoint.connectors.isEmpty || endpoint.connectors.contains($0.connector) }
            let resources = sortedResources.filter { endpoint.connectors.isEmpty || endpoint.connectors.contains($0.target.connector) }
            views[endpoint.name] = Catalog(
                tools: selected, connectors: connectors, generation: generation, changedAt: changedAt, prompts: prompts,
                resources: resources)
        }
        self.endpoints = views
    }

    /// The same tools and endpoints under another generation.
    public func with(generation: UInt64, changedAt: ContinuousClock.Instant) -> Catalog {
        Catalog(
            tools: tools, connectors: connectors, generation: generation, endpoints: endpointDefinitions, changedAt: changedAt,
            prompts: prompts, resources: resources + resourceTemplates)
    }

    /// The resource `uri` names, with the arguments its request needs: a
    /// fixed URI first, then the first template it follows.
    public func resource(at uri: String) -> (resource: CatalogResource, arguments: JSONObject)? {
        if let fixed = resources.first(where: { $0.definition.address == .fixed(uri) }) { return (fixed, [:]) }
        for template in resourceTemplates {
            if let arguments = template.definition.arguments(for: uri) { return (template, arguments) }
        }
        return nil
    }

    /// The resource lists as clients see them, for change detection.
    public var resourceDescriptors: [[UInt8]] { (resources + resourceTemplates).map(\.descriptor) }

    public func prompt(named name: String) -> CatalogPrompt? {
        prompts.first { $0.name == name }
    }

    /// Whether a client would see a different tool list on `/mcp` or on
    /// any endpoint.
    public func listsDiffer(from other: Catalog) -> Bool {
        guard descriptors == other.descriptors, promptDescriptors == other.promptDescriptors,
            resourceDescriptors == other.resourceDescriptors,
            endpointDefinitions == other.endpointDefinitions
        else { return true }
        return endpoints.contains {
            other.endpoints[$0.key]?.descriptors != $0.value.descriptors
                || other.endpoints[$0.key]?.promptDescriptors != $0.value.promptDescriptors
        }
    }

    public static let empty = Catalog(tools: [], generation: 0, changedAt: .now - .seconds(3600))

    public func tool(named name: String) -> CatalogTool? {
        index[name].map { tools[$0] }
    }
}

/// What a status page or `check` reports about one loaded connector.
public struct ConnectorSummary: Sendable, Hashable {
    public var name: String
    public var file: String
    public var toolCount: Int
}

import ConnectorModel

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
    private let index: [String: Int]

    public init(tools: [CatalogTool], connectors: [ConnectorSummary] = [], generation: UInt64 = 1) {
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
    }

    public static let empty = Catalog(tools: [], generation: 0)

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

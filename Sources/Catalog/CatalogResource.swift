import ConnectorModel
import GatehouseJSON

/// A resource as served: its definition, the upstream it reads from, and
/// its MCP descriptor encoded once.
public struct CatalogResource: Sendable {
    public let definition: ResourceDefinition
    public let target: UpstreamTarget
    public let descriptor: [UInt8]

    public var name: String { definition.name }
    public var isTemplate: Bool { if case .template = definition.address { true } else { false } }

    public init(definition: ResourceDefinition, target: UpstreamTarget) {
        self.definition = definition
        self.target = target
        self.descriptor = definition.descriptor.jsonBytes
    }

    public func isAllowed(for scopes: Set<String>) -> Bool {
        definition.request.scopes.allSatisfy(scopes.contains)
    }
}

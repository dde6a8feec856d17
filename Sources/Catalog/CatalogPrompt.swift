import ConnectorModel
import GatehouseJSON

/// A prompt as served, with its MCP descriptor encoded once.
public struct CatalogPrompt: Sendable {
    public let definition: PromptDefinition
    public let connector: String
    public let descriptor: [UInt8]

    public var name: String { definition.name }

    public init(definition: PromptDefinition, connector: String) {
        self.definition = definition
        self.connector = connector
        self.descriptor = definition.descriptor.jsonBytes
    }
}

import ConnectorModel
import GatehouseJSON

/// A tool as served: its definition, the upstream it calls, and its MCP
/// descriptor encoded once so `tools/list` only concatenates bytes.
public struct CatalogTool: Sendable {
    public let definition: ToolDefinition
    public let target: UpstreamTarget
    /// The MCP `Tool` object as compact JSON.
    public let descriptor: [UInt8]

    public var name: String { definition.name }

    /// Whether a caller holding `scopes` may see and call the tool.
    public func isAllowed(for scopes: Set<String>) -> Bool {
        definition.scopes.allSatisfy(scopes.contains)
    }

    public init(definition: ToolDefinition, target: UpstreamTarget) {
        self.definition = definition
        self.target = target
        self.descriptor = Self.descriptor(for: definition).jsonBytes
    }

    static func descriptor(for tool: ToolDefinition) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(tool.name)
        if let title = tool.title { object["title"] = .string(title) }
        if let description = tool.description { object["description"] = .string(description) }
        object["inputSchema"] = tool.inputSchema.source
        if let output = tool.response.outputSchema { object["outputSchema"] = output.source }
        object["annotations"] = tool.annotations.json
        return .object(object)
    }
}

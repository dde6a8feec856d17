import ConnectorModel
import GatehouseJSON

/// A tool as served: its definition, the upstream it calls, and its MCP
/// descriptor encoded once so `tools/list` only concatenates bytes.
public struct CatalogTool: Sendable {
    public let definition: ToolDefinition
    public let target: UpstreamTarget
    /// The MCP `Tool` object as compact JSON.
    public let descriptor: [UInt8]
    /// What the tool does, hashed (see ``ToolFacts``); published in the
    /// descriptor's `_meta` so clients can notice a change.
    public let fingerprint: String

    public var name: String { definition.name }

    /// The facts the fingerprint is made from, for change reports.
    public var facts: ToolFacts { ToolFacts(definition: definition, target: target) }

    /// Whether a caller holding `scopes` may see and call the tool.
    public func isAllowed(for scopes: Set<String>) -> Bool {
        definition.scopes.allSatisfy(scopes.contains)
    }

    public init(definition: ToolDefinition, target: UpstreamTarget) {
        self.definition = definition
        self.target = target
        let fingerprint = ToolFacts(definition: definition, target: target).fingerprint
        self.fingerprint = fingerprint
        self.descriptor = Self.descriptor(for: definition, fingerprint: fingerprint).jsonBytes
    }

    /// The `_meta` key of the fingerprint.
    public static let fingerprintMetaKey = "dev.gatehouse/fingerprint"

    static func descriptor(for tool: ToolDefinition, fingerprint: String) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(tool.name)
        if let title = tool.title { object["title"] = .string(title) }
        if let description = tool.description { object["description"] = .string(description) }
        object["inputSchema"] = tool.inputSchema.source
        // Only a strict tool declares its schema: a declared schema obliges
        // every result to carry conforming structured content, and clients
        // reject a result without it. A lenient tool sends it when it fits.
        if let output = tool.response.outputSchema, tool.response.strictOutputSchema { object["outputSchema"] = output.source }
        object["annotations"] = tool.annotations.json
        object["_meta"] = [fingerprintMetaKey: .string(fingerprint)]
        return .object(object)
    }
}

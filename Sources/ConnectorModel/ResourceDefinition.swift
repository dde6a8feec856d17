import GatehouseJSON

/// Read-only data a connector offers as MCP resources (`resources:`):
/// one fixed URI or a URI template, mapped onto a GET route that is called
/// like a tool — same parameters, auth, shaping and limits.
public struct ResourceDefinition: Sendable {
    public enum Address: Sendable, Equatable {
        case fixed(String)
        case template(URITemplate)
    }

    public var address: Address
    public var name: String
    public var title: String?
    public var description: String?
    /// Declared; otherwise the upstream answer's type decides.
    public var mimeType: String?
    /// The GET request behind it; its arguments are the template's variables.
    public var request: ToolDefinition

    public init(address: Address, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil, request: ToolDefinition) {
        self.address = address
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
        self.request = request
    }

    /// The arguments for `uri`, when it is this resource's: none for a fixed
    /// URI, the template's variables (numbers and booleans as their
    /// parameter's type says) otherwise.
    public func arguments(for uri: String) -> JSONObject? {
        switch address {
        case .fixed(let fixed): return fixed == uri ? [:] : nil
        case .template(let template):
            guard let values = template.match(uri) else { return nil }
            var arguments = JSONObject()
            for name in template.variables {
                guard let text = values[name] else { continue }
                arguments[name] = Self.typed(text, as: request.inputSchema.source["properties"]?[name]?["type"])
            }
            return arguments
        }
    }

    static func typed(_ text: String, as type: JSONValue?) -> JSONValue {
        switch type?.stringValue {
        case "integer": Int64(text).map(JSONValue.int) ?? .string(text)
        case "number": Double(text).map(JSONValue.double) ?? .string(text)
        case "boolean": text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        default: .string(text)
        }
    }

    /// The MCP `Resource` or `ResourceTemplate` object.
    public var descriptor: JSONValue {
        var object: JSONObject = [:]
        switch address {
        case .fixed(let uri): object["uri"] = .string(uri)
        case .template(let template): object["uriTemplate"] = .string(template.source)
        }
        object["name"] = .string(name)
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let mimeType { object["mimeType"] = .string(mimeType) }
        return .object(object)
    }
}

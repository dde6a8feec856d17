import GatehouseJSON

/// Where an argument lands in the upstream request.
public enum ParameterLocation: String, Sendable, CaseIterable {
    case path, query, header, body
}

/// One tool argument and where it goes upstream.
public struct Parameter: Sendable {
    public var name: String
    public var location: ParameterLocation
    /// The name used upstream when it differs (`as:` in the file), e.g. a
    /// header name or a query key that is not a valid argument name.
    public var upstreamName: String
    public var required: Bool
    public var defaultValue: JSONValue?
    /// The argument's JSON Schema, as shown to clients. Taken from an
    /// `input_schema`, it may `$ref` definitions elsewhere in that document.
    public var schema: JSONValue
    /// For arrays in the query: `a=1&a=2` (true, the default) or `a=1,2`.
    public var explode: Bool
    /// For path values: `/` inside the value stays a separator.
    public var slashes = false

    public init(
        name: String, location: ParameterLocation, upstreamName: String? = nil, required: Bool = false,
        defaultValue: JSONValue? = nil, schema: JSONValue, explode: Bool = true
    ) {
        self.name = name
        self.location = location
        self.upstreamName = upstreamName ?? name
        self.required = required
        self.defaultValue = defaultValue
        self.schema = schema
        self.explode = explode
    }
}

extension ToolDefinition {
    /// The `inputSchema` generated from `parameters:`. Unknown properties are
    /// refused so a model's typo surfaces as an error instead of being dropped.
    public static func inputSchema(for parameters: [Parameter]) -> JSONValue {
        var properties = JSONObject()
        var required: [JSONValue] = []
        for parameter in parameters {
            properties[parameter.name] = parameter.schema
            if parameter.required { required.append(.string(parameter.name)) }
        }
        var schema: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required) }
        schema["additionalProperties"] = false
        return .object(schema)
    }
}

extension Parameter {
    /// The keys of a parameter in the file that say where it goes rather
    /// than what it is: the only ones it may have next to `input_schema`.
    public static let placementKeys = ParameterKey.placementNames
}

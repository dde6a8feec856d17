/// One extra MCP endpoint: a view of the catalogue for one audience,
/// served at `/mcp/NAME` as its own OAuth protected resource.
public struct EndpointDefinition: Sendable, Equatable {
    public var name: String
    public var title: String?
    public var instructions: String?
    /// Empty: every connector.
    public var connectors: [String]
    /// Empty: every name.
    public var tools: [NamePattern]
    public var exclude: [NamePattern]
    /// Empty: tagged or not.
    public var tags: [String]
    public var readOnly: Bool
    public var scopes: [String]
    public var audience: String?
    public var location: SourceLocation

    public init(
        name: String, title: String? = nil, instructions: String? = nil, connectors: [String] = [], tools: [NamePattern] = [],
        exclude: [NamePattern] = [], tags: [String] = [], readOnly: Bool = false, scopes: [String] = [], audience: String? = nil,
        location: SourceLocation = SourceLocation(file: "endpoints.yaml", line: 1, column: 1)
    ) {
        self.name = name
        self.title = title
        self.instructions = instructions
        self.connectors = connectors
        self.tools = tools
        self.exclude = exclude
        self.tags = tags
        self.readOnly = readOnly
        self.scopes = scopes
        self.audience = audience
        self.location = location
    }

    /// The URL path the endpoint is served at.
    public var path: String { "/mcp/" + name }

    /// Whether the endpoint serves a tool of `connector`.
    public func includes(_ tool: ToolDefinition, connector: String) -> Bool {
        if !connectors.isEmpty, !connectors.contains(connector) { return false }
        if !tools.isEmpty, !tools.contains(where: { $0.matches(tool.name) }) { return false }
        if exclude.contains(where: { $0.matches(tool.name) }) { return false }
        if !tags.isEmpty, !tool.tags.contains(where: tags.contains) { return false }
        if readOnly, !tool.isReadOnly { return false }
        return true
    }
}

/// A tool-name pattern: `*` is any run of characters, `?` any one.
public struct NamePattern: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    let bytes: [UInt8]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.bytes = Array(pattern.utf8)
    }

    public var description: String { pattern }

    public static func == (lhs: NamePattern, rhs: NamePattern) -> Bool { lhs.pattern == rhs.pattern }

    /// Iterative matching with one backtrack point: linear in practice,
    /// never exponential whatever the pattern.
    public func matches(_ name: String) -> Bool {
        let text = Array(name.utf8)
        var (p, t) = (0, 0)
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < bytes.count, bytes[p] == UInt8(ascii: "?") || bytes[p] == text[t] {
                p += 1
                t += 1
            } else if p < bytes.count, bytes[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if let s = star {
                p = s + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < bytes.count, bytes[p] == UInt8(ascii: "*") { p += 1 }
        return p == bytes.count
    }
}

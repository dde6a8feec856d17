import Yams

/// Reads `endpoints.yaml`: the extra MCP endpoints, each a filtered view
/// of the catalogue for one audience. Every problem comes back with its
/// line and column; an endpoint with problems is left out, the others are
/// served.
public struct EndpointsDecoder: Sendable {
    public init() {}

    public struct Result: Sendable {
        public var endpoints: [EndpointDefinition]
        public var diagnostics: [Diagnostic]

        public init(endpoints: [EndpointDefinition], diagnostics: [Diagnostic]) {
            self.endpoints = endpoints
            self.diagnostics = diagnostics
        }
    }

    /// At most this many endpoints: each is a route, a resource and a
    /// notification fan-out.
    public static let maximumEndpoints = 64

    public func decode(yaml: String, file: String) -> Result {
        if let refusal = AliasKeyCheck.refusal(in: yaml, file: file) { return Result(endpoints: [], diagnostics: [refusal]) }
        let root: Yams.Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { return Result(endpoints: [], diagnostics: []) }
            root = node
        } catch let error as YamlError {
            return Result(endpoints: [], diagnostics: [ConnectorDecoder.diagnostic(for: error, file: file)])
        } catch {
            return Result(endpoints: [], diagnostics: [Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML")])
        }
        var reader = EndpointsReader(decoding: YAMLDecoding(file: file))
        let endpoints = reader.read(root)
        return Result(endpoints: endpoints, diagnostics: reader.decoding.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }
}

struct EndpointsReader {
    var decoding: YAMLDecoding

    mutating func read(_ root: Yams.Node) -> [EndpointDefinition] {
        guard let byKey = decoding.mapping(root, "the endpoints file", keys: EndpointsFileKey.self) else { return [] }
        guard let entry = byKey[.endpoints] else {
            decoding.error(root, "missing required key 'endpoints' (a mapping of endpoint names to their filters)")
            return []
        }
        guard let items = decoding.mapping(entry.value, "endpoints") else { return [] }
        if items.count > EndpointsDecoder.maximumEndpoints {
            decoding.error(entry.value, "at most \(EndpointsDecoder.maximumEndpoints) endpoints")
            return []
        }
        return items.compactMap { readEndpoint(name: $0.key, keyNode: $0.keyNode, node: $0.value) }
    }

    mutating func readEndpoint(name: String, keyNode: Yams.Node, node: Yams.Node) -> EndpointDefinition? {
        let before = decoding.diagnostics.count
        guard NameRules.isEndpointName(name) else {
            decoding.error(keyNode, "endpoint name '\(name)' must be 1-64 characters of a-z, 0-9, '_' and '-' (it becomes /mcp/NAME)")
            return nil
        }
        var endpoint = EndpointDefinition(name: name, location: decoding.location(keyNode))
        if case .mapping(let mapping) = node, mapping.isEmpty {
            return endpoint
        }
        guard let byKey = decoding.mapping(node, "endpoint '\(name)'", keys: EndpointKey.self) else { return nil }
        for (key, entry) in byKey.keyed {
            let what = "\(name).\(key.rawValue)"
            switch key {
            case .title: endpoint.title = decoding.string(entry.value, what)
            case .instructions: endpoint.instructions = decoding.string(entry.value, what)
            case .connectors:
                endpoint.connectors = strings(entry.value, what)
                for connector in endpoint.connectors where !NameRules.isConnectorName(connector) {
                    decoding.error(entry.value, "'\(connector)' is not a connector name")
                }
            case .tools, .exclude:
                let patterns = strings(entry.value, what)
                for pattern in patterns where pattern.isEmpty || pattern.utf8.count > 128
                    || !pattern.utf8.allSatisfy({ NameRules.isNameByte($0) || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") })
                {
                    decoding.error(entry.value, "'\(pattern)' is not a tool-name pattern (tool-name characters, '*' and '?')")
                }
                if key == .tools { endpoint.tools = patterns.map(NamePattern.init) } else { endpoint.exclude = patterns.map(NamePattern.init) }
            case .tags:
                endpoint.tags = strings(entry.value, what)
                for tag in endpoint.tags where !NameRules.isTag(tag) { decoding.error(entry.value, "'\(tag)' is not a tag") }
            case .readOnly: endpoint.readOnly = decoding.bool(entry.value, what) ?? false
            case .scopes:
                endpoint.scopes = strings(entry.value, what, splittingSpaces: true)
                for scope in endpoint.scopes where !isValidScope(scope) {
                    decoding.error(entry.value, "'\(scope)' is not a valid OAuth scope")
                }
            case .audience:
                endpoint.audience = decoding.string(entry.value, what)
                if endpoint.audience?.isEmpty == true { decoding.error(entry.value, "audience must not be empty") }
            }
        }
        return decoding.diagnostics.count == before ? endpoint : nil
    }

    /// A list of strings, or one string (split at spaces for scopes).
    mutating func strings(_ node: Yams.Node, _ what: String, splittingSpaces: Bool = false) -> [String] {
        if case .scalar = node, let text = decoding.string(node, what) {
            return splittingSpaces ? text.split(separator: " ").map(String.init) : [text]
        }
        guard let nodes = decoding.sequence(node, what) else { return [] }
        return nodes.compactMap { decoding.string($0, what) }
    }
}

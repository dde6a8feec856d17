import Foundation
import GatehouseJSON
import RateLimiting
import Yams

/// Turns the text of one connector file into a validated ``Connector``, or
/// into every problem the file has, each with its line and column.
public struct ConnectorDecoder: Sendable {
    public var secrets: any SecretSource

    public init(secrets: any SecretSource = ProcessSecretSource()) {
        self.secrets = secrets
    }

    /// Problems listed per file; more are counted, not shown.
    public static let maxDiagnostics = 50

    public struct Result: Sendable {
        /// Present only when the file has no problems.
        public var connector: Connector?
        public var diagnostics: [Diagnostic]

        public init(connector: Connector?, diagnostics: [Diagnostic]) {
            self.connector = connector
            self.diagnostics = diagnostics
        }
    }

    /// - Parameters:
    ///   - file: the name used in diagnostics (usually the path).
    ///   - directory: where relative `${file:…}` secrets are looked up.
    public func decode(yaml: String, file: String, directory: String = ".") -> Result {
        var decoding = YAMLDecoding(file: file)
        if let refusal = AliasKeyCheck.refusal(in: yaml, file: file) {
            return Result(connector: nil, diagnostics: [refusal])
        }
        let root: Yams.Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return Result(connector: nil, diagnostics: [Diagnostic(file: file, line: 1, column: 1, message: "file is empty")])
            }
            root = node
        } catch let error as YamlError {
            return Result(connector: nil, diagnostics: [Self.diagnostic(for: error, file: file)])
        } catch {
            return Result(connector: nil, diagnostics: [Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML")])
        }
        var reader = ConnectorReader(
            decoding: decoding, secrets: SecretResolver(source: secrets, baseDirectory: directory))
        let connector = reader.readConnector(root)
        decoding = reader.decoding
        var diagnostics = decoding.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        if diagnostics.count > Self.maxDiagnostics {
            // Something that is not a connector file at all (a stray
            // document, a link target) need not be listed line by line.
            let more = diagnostics.count - Self.maxDiagnostics
            diagnostics = Array(diagnostics.prefix(Self.maxDiagnostics))
            diagnostics.append(Diagnostic(file: file, line: 1, column: 1, message: "\(more) more problems not shown"))
        }
        return Result(connector: diagnostics.isEmpty ? connector : nil, diagnostics: diagnostics)
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(detail)")
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate keys \(duplicates.prefix(5).map(Diagnostic.quoted).joined(separator: ", "))")
        default:
            // Other errors may quote the text; the text may not be YAML at all.
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML")
        }
    }
}

/// The connector file grammar, one method per section.
struct ConnectorReader {
    var decoding: YAMLDecoding
    var secrets: SecretResolver
    /// The connector's `scopes:`, for tools that name none of their own.
    var defaultScopes: [String] = []

    static let connectorKeys = [
        "connector", "description", "base_url", "headers", "auth", "timeout", "max_response_bytes", "error_body_bytes", "limits",
        "retries", "scopes", "tools",
    ]
    static let toolKeys = [
        "name", "title", "description", "method", "path", "parameters", "headers", "query", "body", "annotations", "response",
        "timeout", "max_response_bytes", "limits", "retries", "scopes", "input_schema",
    ]
    static let parameterKeys = [
        "type", "description", "required", "default", "enum", "minimum", "maximum", "pattern", "min_length", "max_length",
        "min_items", "max_items", "items", "properties", "additional_properties", "format", "in", "as", "explode",
    ]
    static let nestedSchemaKeys = parameterKeys.filter { !["in", "as", "explode"].contains($0) }
    static let annotationKeys = ["title", "read_only", "destructive", "idempotent", "open_world"]
    static let responseKeys = ["select", "fields", "max_bytes", "output_schema"]
    static let limitKeys = ["max_concurrent", "rate_limit"]
    static let rateLimitKeys = ["requests", "per", "burst"]
    static let retryKeys = ["max", "backoff", "max_backoff", "statuses"]
    static let parameterTypes = ["string", "integer", "number", "boolean", "array", "object"]

    mutating func readConnector(_ root: Yams.Node) -> Connector? {
        guard let entries = decoding.mapping(root, "the connector file", allowed: Self.connectorKeys) else { return nil }
        let byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var name: String?
        if let entry = byKey["connector"] {
            name = decoding.string(entry.value, "connector")
            if let n = name, !Self.isValidConnectorName(n) {
                decoding.error(entry.value, "connector name '\(n)' must be 1-64 characters of letters, digits, '_' and '-'")
            }
        } else {
            decoding.error(root, "missing required key 'connector' (the connector's name)")
        }
        let description = byKey["description"].flatMap { decoding.string($0.value, "description") }
        var baseURL: BaseURL?
        if let entry = byKey["base_url"] {
            if let text = decoding.string(entry.value, "base_url"), let resolved = resolveSecrets(text, entry.value) {
                do { baseURL = try BaseURL(parsing: resolved) } catch { decoding.error(entry.value, error.message) }
            }
        } else {
            decoding.error(root, "missing required key 'base_url'")
        }
        var headers: [(name: String, value: String)] = []
        if let entry = byKey["headers"], let items = decoding.mapping(entry.value, "headers") {
            for item in items {
                guard checkHeaderName(item.key, item.keyNode),
                    let raw = decoding.string(item.value, "header \(Diagnostic.quoted(item.key))"),
                    let value = resolveSecrets(raw, item.value)
                else { continue }
                guard !value.contains("\r"), !value.contains("\n") else {
                    decoding.error(item.value, "header \(Diagnostic.quoted(item.key)) must not contain line breaks")
                    continue
                }
                headers.append((item.key, value))
            }
        }
        let auth = byKey["auth"].flatMap { readAuth($0.value) }
        let timeout = byKey["timeout"].flatMap { decoding.duration($0.value, "timeout") } ?? Connector.defaultTimeout
        let maxResponseBytes =
            byKey["max_response_bytes"].flatMap { decoding.byteSize($0.value, "max_response_bytes") }
            ?? Connector.defaultMaxResponseBytes
        var errorBodyBytes = Connector.defaultErrorBodyBytes
        if let entry = byKey["error_body_bytes"],
            let bytes = entry.value.scalar?.string == "0" ? 0 : decoding.byteSize(entry.value, "error_body_bytes")
        {
            if bytes <= Connector.maxErrorBodyBytes {
                errorBodyBytes = bytes
            } else {
                decoding.error(entry.value, "error_body_bytes must be at most \(Connector.maxErrorBodyBytes) (0 quotes no body)")
            }
        }
        let limits = byKey["limits"].flatMap { readLimits($0.value) } ?? CallLimits()
        let retries = byKey["retries"].flatMap { readRetries($0.value) } ?? .off
        defaultScopes = byKey["scopes"].flatMap { readScopes($0.value) } ?? []
        var tools: [ToolDefinition] = []
        if let entry = byKey["tools"], let nodes = decoding.sequence(entry.value, "tools") {
            var names: [String: SourceLocation] = [:]
            if nodes.isEmpty { decoding.error(entry.value, "tools must list at least one tool") }
            for node in nodes {
                // Duplicates are found by name alone, so a broken first
                // definition does not hide a second one.
                var duplicate = false
                if case .scalar(let scalar)? = node["name"] {
                    if let first = names[scalar.string] {
                        decoding.error(node, "duplicate tool name '\(scalar.string)' (first defined at line \(first.line))")
                        duplicate = true
                    } else {
                        names[scalar.string] = decoding.location(node)
                    }
                }
                if let tool = readTool(node), !duplicate { tools.append(tool) }
            }
        } else if byKey["tools"] == nil {
            decoding.error(root, "missing required key 'tools'")
        }
        guard let name, let baseURL else { return nil }
        return Connector(
            name: name, description: description, baseURL: baseURL, headers: headers, auth: auth, timeout: timeout,
            maxResponseBytes: maxResponseBytes, limits: limits, retries: retries, tools: tools,
            location: decoding.location(root),
            redactor: SecretRedactor(secrets: secrets.resolvedValues + (auth?.secretValues ?? [])),
            errorBodyBytes: errorBodyBytes)
    }

    static func isValidConnectorName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    mutating func resolveSecrets(_ text: String, _ node: Yams.Node) -> String? {
        do { return try secrets.resolve(text) } catch {
            decoding.error(node, error.message)
            return nil
        }
    }

    mutating func checkHeaderName(_ name: String, _ node: Yams.Node) -> Bool {
        let token = "!#$%&'*+-.^_`|~"
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || token.contains($0)) }) else {
            decoding.error(node, "\(Diagnostic.quoted(name)) is not a valid HTTP header name")
            return false
        }
        return true
    }

    mutating func readAuth(_ node: Yams.Node) -> UpstreamAuth? {
        guard let entries = decoding.mapping(node, "auth", allowed: ["bearer", "basic", "api_key"]) else { return nil }
        guard entries.count == 1, let entry = entries.first else {
            decoding.error(node, "auth must have exactly one of: bearer, basic, api_key")
            return nil
        }
        switch entry.key {
        case "bearer":
            guard let raw = decoding.string(entry.value, "auth.bearer"), let token = resolveSecrets(raw, entry.value) else { return nil }
            guard checkHeaderValue(token, entry.value, "auth.bearer") else { return nil }
            return .bearer(token: token)
        case "basic":
            guard let items = decoding.mapping(entry.value, "auth.basic", allowed: ["username", "password"]) else { return nil }
            let byKey = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            guard let u = byKey["username"], let p = byKey["password"] else {
                decoding.error(entry.value, "auth.basic needs username and password")
                return nil
            }
            guard let username = decoding.string(u.value, "auth.basic.username").flatMap({ resolveSecrets($0, u.value) }),
                let password = decoding.string(p.value, "auth.basic.password").flatMap({ resolveSecrets($0, p.value) })
            else { return nil }
            guard !username.contains(":") else {
                decoding.error(u.value, "auth.basic.username must not contain ':'")
                return nil
            }
            return .basic(username: username, password: password)
        default:
            guard let items = decoding.mapping(entry.value, "auth.api_key", allowed: ["header", "query", "value"]) else { return nil }
            let byKey = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            guard let v = byKey["value"], let raw = decoding.string(v.value, "auth.api_key.value"),
                let value = resolveSecrets(raw, v.value)
            else {
                if byKey["value"] == nil { decoding.error(entry.value, "auth.api_key needs a value") }
                return nil
            }
            switch (byKey["header"], byKey["query"]) {
            case (let h?, nil):
                guard let name = decoding.string(h.value, "auth.api_key.header"), checkHeaderName(name, h.value),
                    checkHeaderValue(value, v.value, "auth.api_key.value")
                else { return nil }
                return .apiKeyHeader(name: name, value: value)
            case (nil, let q?):
                guard let name = decoding.string(q.value, "auth.api_key.query") else { return nil }
                return .apiKeyQuery(name: name, value: value)
            default:
                decoding.error(entry.value, "auth.api_key needs exactly one of header or query")
                return nil
            }
        }
    }

    mutating func checkHeaderValue(_ value: String, _ node: Yams.Node, _ what: String) -> Bool {
        guard !value.contains("\r"), !value.contains("\n"), !value.contains("\0") else {
            decoding.error(node, "\(what) must not contain line breaks")
            return false
        }
        return true
    }

    // MARK: Tools

    mutating func readTool(_ node: Yams.Node) -> ToolDefinition? {
        guard let entries = decoding.mapping(node, "a tool", allowed: Self.toolKeys) else { return nil }
        let byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let errorsBefore = decoding.diagnostics.count
        guard let nameEntry = byKey["name"] else {
            decoding.error(node, "tool is missing required key 'name'")
            return nil
        }
        guard let name = decoding.string(nameEntry.value, "tool name") else { return nil }
        guard ToolDefinition.isValidName(name) else {
            decoding.error(nameEntry.value, "tool name '\(name)' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'")
            return nil
        }
        let title = byKey["title"].flatMap { decoding.string($0.value, "title") }
        let description = byKey["description"].flatMap { decoding.string($0.value, "description") }
        if byKey["description"] == nil {
            decoding.error(node, "tool '\(name)' needs a description: it is what the model reads to decide when to call it")
        }
        var method = HTTPMethod.GET
        if let entry = byKey["method"], let text = decoding.string(entry.value, "method") {
            if let m = HTTPMethod(rawValue: text.uppercased()) {
                method = m
            } else {
                decoding.error(entry.value, "method must be one of GET, POST, PUT, PATCH, DELETE")
            }
        }
        var path: PathTemplate?
        if let entry = byKey["path"] {
            if let text = decoding.string(entry.value, "path") {
                do { path = try PathTemplate(parsing: text) } catch { decoding.error(entry.value, error.message) }
            }
        } else {
            decoding.error(node, "tool '\(name)' is missing required key 'path'")
        }
        let pathNames = Set(path?.parameterNames ?? [])
        var parameters: [Parameter] = []
        var declaredSchema: JSONSchema?
        if let entry = byKey["input_schema"] {
            let declared = readDeclaredArguments(
                schemaEntry: entry, parametersEntry: byKey["parameters"], pathEntry: byKey["path"], path: path, method: method)
            parameters = declared.parameters
            declaredSchema = declared.schema
        } else if let entry = byKey["parameters"], let items = decoding.mapping(entry.value, "parameters") {
            for item in items {
                if let parameter = readParameter(item, method: method, pathNames: pathNames) { parameters.append(parameter) }
            }
        }
        let parameterNames = Set(parameters.map(\.name))
        if byKey["input_schema"] == nil, let path, let entry = byKey["path"] {
            for placeholder in path.parameterNames where !parameterNames.contains(placeholder) {
                decoding.error(entry.value, "path placeholder {\(placeholder)} has no parameter named '\(placeholder)'")
            }
        }
        if let entry = byKey["parameters"] {
            for parameter in parameters where parameter.location == .path && !pathNames.contains(parameter.name) {
                decoding.error(entry.value, "parameter '\(parameter.name)' is in: path but the path has no {\(parameter.name)}")
            }
            if method == .GET, parameters.contains(where: { $0.location == .body }) {
                decoding.error(entry.value, "GET requests carry no body; use in: query for '\(name)'")
            }
        }
        var headers: [(name: String, value: StringTemplate)] = []
        if let entry = byKey["headers"], let items = decoding.mapping(entry.value, "headers") {
            for item in items {
                guard checkHeaderName(item.key, item.keyNode), let text = decoding.string(item.value, "header \(Diagnostic.quoted(item.key))"),
                    let template = stringTemplate(text, item.value, known: parameterNames)
                else { continue }
                if template.isLiteral, !checkHeaderValue(text, item.value, "header \(Diagnostic.quoted(item.key))") { continue }
                headers.append((item.key, template))
            }
        }
        var query: [(name: String, value: StringTemplate)] = []
        if let entry = byKey["query"], let items = decoding.mapping(entry.value, "query") {
            for item in items {
                guard let text = decoding.string(item.value, "query \(item.key)"),
                    let template = stringTemplate(text, item.value, known: parameterNames)
                else { continue }
                query.append((item.key, template))
            }
        }
        var body: ValueTemplate?
        if let entry = byKey["body"] {
            if method == .GET {
                decoding.error(entry.keyNode, "GET requests carry no body")
            } else {
                body = valueTemplate(entry.value, known: parameterNames, depth: 0)
                if let body {
                    let used = Set(body.references.compactMap { if case .argument(let n) = $0 { n } else { nil } })
                    for parameter in parameters where parameter.location == .body && !used.contains(parameter.name) {
                        decoding.error(
                            entry.value,
                            "parameter '\(parameter.name)' goes in the body but the body template does not use {{ \(parameter.name) }}")
                    }
                }
            }
        }
        var annotations = ToolAnnotations.defaults(for: method)
        if let entry = byKey["annotations"], let items = decoding.mapping(entry.value, "annotations", allowed: Self.annotationKeys) {
            var written = ToolAnnotations()
            for item in items {
                switch item.key {
                case "title": written.title = decoding.string(item.value, "annotations.title")
                case "read_only": written.readOnly = decoding.bool(item.value, "annotations.read_only")
                case "destructive": written.destructive = decoding.bool(item.value, "annotations.destructive")
                case "idempotent": written.idempotent = decoding.bool(item.value, "annotations.idempotent")
                default: written.openWorld = decoding.bool(item.value, "annotations.open_world")
                }
            }
            annotations = written.overriding(annotations)
        }
        let response = byKey["response"].flatMap { readResponse($0.value) } ?? ResponseShaping()
        let timeout = byKey["timeout"].flatMap { decoding.duration($0.value, "timeout") }
        let maxResponseBytes = byKey["max_response_bytes"].flatMap { decoding.byteSize($0.value, "max_response_bytes") }
        let limits = byKey["limits"].flatMap { readLimits($0.value) } ?? CallLimits()
        var retries: RetryPolicy?
        if let entry = byKey["retries"], let policy = readRetries(entry.value) {
            retries = policy
            // A retried POST could create twice what the caller asked for once.
            if policy.maxRetries > 0, !(method.isIdempotent || annotations.idempotent == true) {
                decoding.error(
                    entry.value,
                    "retries apply only to idempotent calls: \(method.rawValue) is not; set annotations.idempotent: true if repeating it is safe")
            }
        }
        let scopes = byKey["scopes"].flatMap { readScopes($0.value) } ?? defaultScopes
        guard decoding.diagnostics.count == errorsBefore, let path else { return nil }
        let inputSchema: JSONSchema
        if let declaredSchema {
            inputSchema = declaredSchema
        } else if byKey["input_schema"] != nil {
            return nil
        } else {
            do {
                inputSchema = try JSONSchema(ToolDefinition.inputSchema(for: parameters))
            } catch {
                decoding.error(byKey["parameters"]?.value ?? node, "invalid parameters: \(error)")
                return nil
            }
        }
        return ToolDefinition(
            name: name, title: title, description: description, method: method, path: path, parameters: parameters,
            headers: headers, query: query, body: body, annotations: annotations, response: response, timeout: timeout,
            maxResponseBytes: maxResponseBytes, limits: limits, retries: retries,
            inputSchema: inputSchema, scopes: scopes, location: decoding.location(nameEntry.value))
    }

    /// `scopes: [tickets:read]` or `scopes: tickets:read tickets:write`.
    mutating func readScopes(_ node: Yams.Node) -> [String]? {
        var scopes: [String] = []
        if case .scalar = node, let text = decoding.string(node, "scopes") {
            scopes = text.split(separator: " ").map(String.init)
        } else if let nodes = decoding.sequence(node, "scopes") {
            scopes = nodes.compactMap { decoding.string($0, "scope") }
        } else {
            return nil
        }
        for scope in scopes where !isValidScope(scope) {
            decoding.error(node, "'\(scope)' is not a valid OAuth scope")
            return nil
        }
        return scopes
    }

    mutating func stringTemplate(_ text: String, _ node: Yams.Node, known: Set<String>) -> StringTemplate? {
        let template: StringTemplate
        do { template = try StringTemplate(parsing: text) } catch {
            decoding.error(node, error.message)
            return nil
        }
        for case .argument(let name) in template.references where !known.contains(name) {
            decoding.error(node, "placeholder {{ \(name) }} names no parameter of this tool")
            return nil
        }
        return template
    }

    mutating func valueTemplate(_ node: Yams.Node, known: Set<String>, depth: Int) -> ValueTemplate? {
        guard decoding.spend(node) else { return nil }
        guard depth < 32 else {
            decoding.error(node, "body is nested too deeply")
            return nil
        }
        switch node {
        case .scalar(let scalar):
            if node.tagName == .str || scalar.style != .plain, scalar.string.contains("{{") {
                return stringTemplate(scalar.string, node, known: known).map(ValueTemplate.string)
            }
            return decoding.json(node, "body").map(ValueTemplate.literal)
        case .sequence(let sequence):
            var elements: [ValueTemplate] = []
            for element in sequence {
                guard let value = valueTemplate(element, known: known, depth: depth + 1) else { return nil }
                elements.append(value)
            }
            return .array(elements)
        case .mapping:
            guard let entries = decoding.mapping(node, "body") else { return nil }
            var members: [(key: String, value: ValueTemplate)] = []
            for entry in entries {
                guard let value = valueTemplate(entry.value, known: known, depth: depth + 1) else { return nil }
                members.append((entry.key, value))
            }
            return .object(members)
        case .alias:
            decoding.error(node, "YAML aliases are not supported in body")
            return nil
        }
    }

    // MARK: Parameters

    mutating func readParameter(_ entry: YAMLDecoding.Entry, method: HTTPMethod, pathNames: Set<String>) -> Parameter? {
        let name = entry.key
        guard !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") })
        else {
            decoding.error(entry.keyNode, "parameter name '\(name)' must be 1-64 characters of letters, digits, '_', '-' and '.'")
            return nil
        }
        // `limit: integer` is shorthand for `limit: { type: integer }`.
        if case .scalar = entry.value, let type = decoding.string(entry.value, "parameter \(name)") {
            guard Self.parameterTypes.contains(type) else {
                decoding.error(entry.value, "parameter type must be one of \(Self.parameterTypes.joined(separator: ", "))")
                return nil
            }
            let location: ParameterLocation = pathNames.contains(name) ? .path : method.defaultParameterLocation
            return Parameter(name: name, location: location, required: location == .path, schema: ["type": .string(type)])
        }
        guard let items = decoding.mapping(entry.value, "parameter '\(name)'", allowed: Self.parameterKeys) else { return nil }
        let byKey = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let placement = readPlacement(items, name: name, method: method, pathNames: pathNames)
        let location = placement.location
        var required = byKey["required"].flatMap { decoding.bool($0.value, "required") } ?? false
        guard let schema = readSchema(items, node: entry.value, what: "parameter '\(name)'", depth: 0) else { return nil }
        let defaultValue = byKey["default"].flatMap { decoding.json($0.value, "default") }
        if location == .path {
            if byKey["required"] != nil, !required, defaultValue == nil {
                decoding.error(byKey["required"]!.value, "path parameter '\(name)' must be required or have a default")
            }
            required = defaultValue == nil
        }
        if location == .header || location == .path || location == .query,
            case .string(let type)? = schema["type"], type == "object"
        {
            decoding.error(entry.value, "parameter '\(name)' of type object can only go in the body")
        }
        return Parameter(
            name: name, location: location, upstreamName: placement.upstreamName, required: required,
            defaultValue: defaultValue, schema: schema, explode: placement.explode)
    }

    /// The JSON Schema of one parameter (or of a nested `items`/`properties`).
    mutating func readSchema(_ items: [YAMLDecoding.Entry], node: Yams.Node, what: String, depth: Int) -> JSONValue? {
        // Aliased `properties` could otherwise multiply the work level by level.
        guard decoding.spend(node) else { return nil }
        guard depth < 16 else {
            decoding.error(node, "\(what) is nested too deeply")
            return nil
        }
        let byKey = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var schema = JSONObject()
        var type = "string"
        if let item = byKey["type"], let text = decoding.string(item.value, "type") {
            guard Self.parameterTypes.contains(text) else {
                decoding.error(item.value, "type must be one of \(Self.parameterTypes.joined(separator: ", "))")
                return nil
            }
            type = text
        }
        schema["type"] = .string(type)
        let errorsBefore = decoding.diagnostics.count
        for item in items {
            switch item.key {
            case "description":
                if let text = decoding.string(item.value, "description") { schema["description"] = .string(text) }
            case "enum":
                if let values = decoding.sequence(item.value, "enum") {
                    if values.isEmpty { decoding.error(item.value, "enum must list at least one value") }
                    schema["enum"] = .array(values.compactMap { decoding.json($0, "enum") })
                }
            case "minimum", "maximum":
                guard type == "integer" || type == "number" else {
                    decoding.error(item.keyNode, "\(item.key) applies to integer and number parameters only")
                    continue
                }
                if let value = decoding.number(item.value, item.key) { schema[item.key] = value }
            case "pattern":
                guard type == "string" else {
                    decoding.error(item.keyNode, "pattern applies to string parameters only")
                    continue
                }
                if let text = decoding.string(item.value, "pattern") { schema["pattern"] = .string(text) }
            case "format":
                if let text = decoding.string(item.value, "format") { schema["format"] = .string(text) }
            case "min_length", "max_length":
                guard type == "string" else {
                    decoding.error(item.keyNode, "\(item.key) applies to string parameters only")
                    continue
                }
                if let value = decoding.integer(item.value, item.key, range: 0...Int(Int32.max)) {
                    schema[item.key == "min_length" ? "minLength" : "maxLength"] = .int(Int64(value))
                }
            case "min_items", "max_items":
                guard type == "array" else {
                    decoding.error(item.keyNode, "\(item.key) applies to array parameters only")
                    continue
                }
                if let value = decoding.integer(item.value, item.key, range: 0...Int(Int32.max)) {
                    schema[item.key == "min_items" ? "minItems" : "maxItems"] = .int(Int64(value))
                }
            case "items":
                guard type == "array" else {
                    decoding.error(item.keyNode, "items applies to array parameters only")
                    continue
                }
                if let nested = nestedSchema(item.value, what: "\(what) items", depth: depth) { schema["items"] = nested }
            case "properties":
                guard type == "object" else {
                    decoding.error(item.keyNode, "properties applies to object parameters only")
                    continue
                }
                guard let members = decoding.mapping(item.value, "properties") else { continue }
                var properties = JSONObject()
                var required: [JSONValue] = []
                for member in members {
                    guard let nested = nestedSchema(member.value, what: "property '\(member.key)'", depth: depth) else { continue }
                    properties[member.key] = nested
                    if case .mapping = member.value, let requiredNode = member.value["required"],
                        decoding.bool(requiredNode, "required") == true
                    {
                        required.append(.string(member.key))
                    }
                }
                schema["properties"] = .object(properties)
                if !required.isEmpty { schema["required"] = .array(required) }
            case "additional_properties":
                guard type == "object" else {
                    decoding.error(item.keyNode, "additional_properties applies to object parameters only")
                    continue
                }
                if let value = decoding.bool(item.value, "additional_properties") { schema["additionalProperties"] = .bool(value) }
            default:
                break  // type, default, required, in, as, explode: handled by the caller or above
            }
        }
        if let item = byKey["default"], let value = decoding.json(item.value, "default") {
            schema["default"] = value
        }
        guard decoding.diagnostics.count == errorsBefore else { return nil }
        let result = JSONValue.object(schema)
        do {
            let compiled = try JSONSchema(result)
            if let defaultValue = schema["default"], let problem = compiled.validate(defaultValue).first {
                decoding.error(byKey["default"]!.value, "default does not fit the parameter: \(problem.message)")
                return nil
            }
            if case .array(let values)? = schema["enum"] {
                var typeOnly = schema
                typeOnly["enum"] = nil
                typeOnly["default"] = nil
                let typeSchema = try JSONSchema(.object(typeOnly))
                for value in values {
                    if let problem = typeSchema.validate(value).first {
                        decoding.error(byKey["enum"]!.value, "enum value \(value.jsonString) does not fit the parameter: \(problem.message)")
                        return nil
                    }
                }
            }
        } catch {
            decoding.error(byKey["pattern"]?.value ?? node, "\(what): \(error)")
            return nil
        }
        return result
    }

    mutating func nestedSchema(_ node: Yams.Node, what: String, depth: Int) -> JSONValue? {
        if case .scalar = node, let type = decoding.string(node, what) {
            guard Self.parameterTypes.contains(type) else {
                decoding.error(node, "type must be one of \(Self.parameterTypes.joined(separator: ", "))")
                return nil
            }
            return ["type": .string(type)]
        }
        guard let items = decoding.mapping(node, what, allowed: Self.nestedSchemaKeys) else { return nil }
        return readSchema(items, node: node, what: what, depth: depth + 1)
    }

    // MARK: Response

    mutating func readResponse(_ node: Yams.Node) -> ResponseShaping? {
        guard let items = decoding.mapping(node, "response", allowed: Self.responseKeys) else { return nil }
        var shaping = ResponseShaping()
        for item in items {
            switch item.key {
            case "select":
                if let text = decoding.string(item.value, "select") {
                    shaping.select = text.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
                }
            case "fields":
                if let nodes = decoding.sequence(item.value, "fields") {
                    shaping.fields = nodes.compactMap { decoding.string($0, "field") }.map {
                        $0.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
                    }.filter { !$0.isEmpty }
                }
            case "max_bytes":
                if let size = decoding.byteSize(item.value, "max_bytes") { shaping.maxBytes = size }
            default:
                guard let value = decoding.json(item.value, "output_schema") else { continue }
                guard case .string("object")? = value["type"] else {
                    decoding.error(item.value, "output_schema must have type: object (MCP structured results are objects)")
                    continue
                }
                do { shaping.outputSchema = try JSONSchema(value) } catch {
                    decoding.error(item.value, "invalid output_schema: \(error)")
                }
            }
        }
        return shaping
    }

    // MARK: Limits

    /// `limits: { max_concurrent: 8, rate_limit: 60/minute }`.
    mutating func readLimits(_ node: Yams.Node) -> CallLimits? {
        guard let items = decoding.mapping(node, "limits", allowed: Self.limitKeys) else { return nil }
        var limits = CallLimits()
        for item in items {
            switch item.key {
            case "max_concurrent":
                limits.maxConcurrent = decoding.integer(item.value, "limits.max_concurrent", range: 1...100_000)
            default:
                limits.rateLimit = readRateLimit(item.value)
            }
        }
        return limits
    }

    /// `60/minute`, or `{ requests: 60, per: 1m, burst: 10 }`.
    mutating func readRateLimit(_ node: Yams.Node) -> RateLimit? {
        let what = "limits.rate_limit"
        if case .scalar(let scalar) = node {
            guard let limit = RateLimit(shorthand: scalar.string) else {
                decoding.error(node, "\(what) must look like 60/minute (per second, minute, hour or day) or be a mapping with requests and per")
                return nil
            }
            return limit
        }
        guard let items = decoding.mapping(node, what, allowed: Self.rateLimitKeys) else { return nil }
        let byKey = Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        guard let requestsEntry = byKey["requests"], let perEntry = byKey["per"] else {
            decoding.error(node, "\(what) needs both requests and per (for example requests: 60, per: 1m)")
            return nil
        }
        guard let requests = decoding.integer(requestsEntry.value, "\(what).requests", range: 1...1_000_000),
            let period = decoding.duration(perEntry.value, "\(what).per")
        else { return nil }
        var burst: Int?
        if let entry = byKey["burst"] {
            guard let value = decoding.integer(entry.value, "\(what).burst", range: 1...1_000_000) else { return nil }
            burst = value
        }
        return RateLimit(requests: requests, period: period, burst: burst)
    }

    /// `retries: 2`, or `{ max: 2, backoff: 200ms, max_backoff: 5s, statuses: [503] }`.
    mutating func readRetries(_ node: Yams.Node) -> RetryPolicy? {
        if case .scalar = node, node.tagName == .int {
            guard let count = decoding.integer(node, "retries", range: 0...10) else { return nil }
            return RetryPolicy(maxRetries: count)
        }
        guard let items = decoding.mapping(node, "retries", allowed: Self.retryKeys) else { return nil }
        var policy = RetryPolicy(maxRetries: 1)
        var valid = true
        for item in items {
            switch item.key {
            case "max":
                if let count = decoding.integer(item.value, "retries.max", range: 0...10) { policy.maxRetries = count } else { valid = false }
            case "backoff":
                if let wait = decoding.duration(item.value, "retries.backoff") { policy.backoff = wait } else { valid = false }
            case "max_backoff":
                if let wait = decoding.duration(item.value, "retries.max_backoff") { policy.maxBackoff = wait } else { valid = false }
            default:
                guard let nodes = decoding.sequence(item.value, "retries.statuses") else { valid = false; continue }
                var statuses: Set<Int> = []
                for status in nodes {
                    if let code = decoding.integer(status, "retries.statuses entry", range: 400...599) { statuses.insert(code) } else { valid = false }
                }
                policy.statuses = statuses
            }
        }
        if policy.maxBackoff < policy.backoff { policy.maxBackoff = policy.backoff }
        return valid ? policy : nil
    }
}

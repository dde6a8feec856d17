import GatehouseJSON
import Yams

/// Reads a connector file section by section, one extension per section
/// (`ConnectorReader+Tool`, `+Parameter`, …); the keys each section allows
/// are the cases of its key enum in `Grammar/`.
struct ConnectorReader {
    var decoding: YAMLDecoding
    var secrets: SecretResolver
    /// The connector's `scopes:`, for tools that name none of their own.
    var defaultScopes: [String] = []
    /// The connector's `confirm:`, for tools that say nothing themselves.
    var confirmationPolicy = ConfirmationPolicy.none

    mutating func readConnector(_ root: Yams.Node) -> Connector? {
        guard let byKey = decoding.mapping(root, "the connector file", keys: ConnectorKey.self) else { return nil }
        var name: String?
        if let entry = byKey[.connector] {
            name = decoding.string(entry.value, "connector")
            if let n = name, !NameRules.isConnectorName(n) {
                decoding.error(entry.value, "connector name '\(n)' must be 1-64 characters of letters, digits, '_' and '-'")
            }
        } else {
            decoding.error(root, "missing required key 'connector' (the connector's name)")
        }
        let description = byKey[.description].flatMap { decoding.string($0.value, "description") }
        var baseURL: BaseURL?
        var baseURLSource = ""
        var headerSources: [(name: String, value: String)] = []
        if let entry = byKey[.baseURL] {
            if let read = readBaseURL(entry.value, "base_url") {
                baseURL = read.url
                baseURLSource = read.written
            }
        } else {
            decoding.error(root, "missing required key 'base_url'")
        }
        var headers: [(name: String, value: String)] = []
        if let entry = byKey[.headers], let items = decoding.mapping(entry.value, "headers") {
            for item in items {
                guard checkHeaderName(item.key, item.keyNode),
                    let raw = decoding.string(item.value, "header \(Diagnostic.quoted(item.key))"),
                    let value = resolveSecrets(raw, item.value)
                else { continue }
                guard checkHeaderValue(value, item.value, "header \(Diagnostic.quoted(item.key))") else { continue }
                headers.append((item.key, value))
                headerSources.append((item.key, raw))
            }
        }
        let auth = byKey[.auth].flatMap { readAuth($0.value) }
        let timeout = byKey[.timeout].flatMap { decoding.duration($0.value, "timeout") } ?? Connector.defaultTimeout
        let maxResponseBytes =
            byKey[.maxResponseBytes].flatMap { decoding.byteSize($0.value, "max_response_bytes") }
            ?? Connector.defaultMaxResponseBytes
        var errorBodyBytes = Connector.defaultErrorBodyBytes
        if let entry = byKey[.errorBodyBytes],
            let bytes = entry.value.scalar?.string == "0" ? 0 : decoding.byteSize(entry.value, "error_body_bytes")
        {
            if bytes <= Connector.maxErrorBodyBytes {
                errorBodyBytes = bytes
            } else {
                decoding.error(entry.value, "error_body_bytes must be at most \(Connector.maxErrorBodyBytes) (0 quotes no body)")
            }
        }
        let limits = byKey[.limits].flatMap { readLimits($0.value) } ?? CallLimits()
        let retries = byKey[.retries].flatMap { readRetries($0.value) } ?? .off
        defaultScopes = byKey[.scopes].flatMap { readScopes($0.value) } ?? []
        if let entry = byKey[.confirm], let text = decoding.string(entry.value, "confirm") {
            if let policy = ConfirmationPolicy(rawValue: text) {
                confirmationPolicy = policy
            } else {
                decoding.error(
                    entry.value,
                    "confirm must be one of \(ConfirmationPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (tools can also say confirm: on their own)")
            }
        }
        var tools: [ToolDefinition] = []
        if let entry = byKey[.tools], let nodes = decoding.sequence(entry.value, "tools") {
            var names: [String: SourceLocation] = [:]
            if nodes.isEmpty { decoding.error(entry.value, "tools must list at least one tool") }
            for node in nodes {
                // Duplicates are found by name alone, so a broken first
                // definition does not hide a second one.
                var duplicate = false
                if case .scalar(let scalar)? = node[ToolKey.name.rawValue] {
                    if let first = names[scalar.string] {
                        decoding.error(node, "duplicate tool name '\(scalar.string)' (first defined at line \(first.line))")
                        duplicate = true
                    } else {
                        names[scalar.string] = decoding.location(node)
                    }
                }
                if let tool = readTool(node), !duplicate { tools.append(tool) }
            }
        } else if byKey[.tools] == nil {
            decoding.error(root, "missing required key 'tools'")
        }
        var prompts: [PromptDefinition] = []
        if let entry = byKey[.prompts], let nodes = decoding.sequence(entry.value, "prompts") {
            var names: [String: Int] = [:]
            for node in nodes {
                guard let prompt = readPrompt(node) else { continue }
                if let line = names[prompt.name] {
                    decoding.error(node, "duplicate prompt name '\(prompt.name)' (first defined at line \(line))")
                    continue
                }
                names[prompt.name] = prompt.location.line
                prompts.append(prompt)
            }
        }
        var resources: [ResourceDefinition] = []
        if let entry = byKey[.resources], let nodes = decoding.sequence(entry.value, "resources") {
            var names = Set<String>()
            for node in nodes {
                guard let resource = readResource(node) else { continue }
                guard names.insert(resource.name).inserted else {
                    decoding.error(node, "duplicate resource name '\(resource.name)'")
                    continue
                }
                resources.append(resource)
            }
        }
        guard let name, let baseURL else { return nil }
        var connector = Connector(
            name: name, description: description, baseURL: baseURL, headers: headers, auth: auth, timeout: timeout,
            maxResponseBytes: maxResponseBytes, limits: limits, retries: retries, tools: tools,
            location: decoding.location(root),
            redactor: SecretRedactor(secrets: secrets.resolvedValues + (auth?.secretValues ?? [])),
            errorBodyBytes: errorBodyBytes)
        connector.target.written = WrittenTarget(baseURL: baseURLSource, headers: headerSources)
        connector.prompts = prompts
        connector.resources = resources
        return connector
    }

    /// A base URL (the connector's or a tool's): secrets resolved, then
    /// checked; the written form is kept for fingerprints.
    mutating func readBaseURL(_ node: Yams.Node, _ key: String) -> (url: BaseURL, written: String)? {
        guard let text = decoding.string(node, key), let resolved = resolveSecrets(text, node) else { return nil }
        do {
            return (try BaseURL(parsing: resolved), text)
        } catch {
            if secrets.source is StandInSecretSource, text.contains("${") {
                // Only described, never called: the written form is what counts.
                return (BaseURL(scheme: "https", host: "unresolved.invalid", port: nil, path: ""), text)
            }
            decoding.error(node, key == "base_url" ? error.message : error.message.replacingOccurrences(of: "base_url", with: key))
            return nil
        }
    }

    mutating func resolveSecrets(_ text: String, _ node: Yams.Node) -> String? {
        do { return try secrets.resolve(text) } catch {
            decoding.error(node, error.message)
            return nil
        }
    }

    mutating func checkHeaderName(_ name: String, _ node: Yams.Node) -> Bool {
        guard HTTPSyntax.isHeaderName(name) else {
            decoding.error(node, "\(Diagnostic.quoted(name)) is not a valid HTTP header name")
            return false
        }
        return true
    }

    mutating func checkHeaderValue(_ value: String, _ node: Yams.Node, _ what: String) -> Bool {
        guard HTTPSyntax.isHeaderValue(value) else {
            decoding.error(node, "\(what) must not contain line breaks")
            return false
        }
        return true
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
}

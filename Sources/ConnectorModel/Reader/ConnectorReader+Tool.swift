import GatehouseJSON
import JSONSchema
import Yams

/// One entry of `tools:`, with its header, query and body templates.
extension ConnectorReader {
    mutating func readTool(_ node: Yams.Node) -> ToolDefinition? {
        guard let byKey = decoding.mapping(node, "a tool", keys: ToolKey.self) else { return nil }
        let errorsBefore = decoding.diagnostics.count
        guard let nameEntry = byKey[.name] else {
            decoding.error(node, "tool is missing required key 'name'")
            return nil
        }
        guard let name = decoding.string(nameEntry.value, "tool name") else { return nil }
        guard ToolDefinition.isValidName(name) else {
            decoding.error(nameEntry.value, "tool name '\(name)' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'")
            return nil
        }
        let title = byKey[.title].flatMap { decoding.string($0.value, "title") }
        let description = byKey[.description].flatMap { decoding.string($0.value, "description") }
        if byKey[.description] == nil {
            decoding.error(node, "tool '\(name)' needs a description: it is what the model reads to decide when to call it")
        }
        var method = HTTPMethod.GET
        if let entry = byKey[.method], let text = decoding.string(entry.value, "method") {
            if let m = HTTPMethod(rawValue: text.uppercased()) {
                method = m
            } else {
                decoding.error(entry.value, "method must be one of GET, POST, PUT, PATCH, DELETE")
            }
        }
        var path: PathTemplate?
        if let entry = byKey[.path] {
            if let text = decoding.string(entry.value, "path") {
                do { path = try PathTemplate(parsing: text) } catch { decoding.error(entry.value, error.message) }
            }
        } else {
            decoding.error(node, "tool '\(name)' is missing required key 'path'")
        }
        let pathNames = Set(path?.parameterNames ?? [])
        var parameters: [Parameter] = []
        var declaredSchema: JSONSchema?
        if let entry = byKey[.inputSchema] {
            let declared = readDeclaredArguments(
                schemaEntry: entry, parametersEntry: byKey[.parameters], pathEntry: byKey[.path], path: path, method: method)
            parameters = declared.parameters
            declaredSchema = declared.schema
        } else if let entry = byKey[.parameters], let items = decoding.mapping(entry.value, "parameters") {
            for item in items {
                if let parameter = readParameter(item, method: method, pathNames: pathNames) { parameters.append(parameter) }
            }
        }
        let parameterNames = Set(parameters.map(\.name))
        if byKey[.inputSchema] == nil, let path, let entry = byKey[.path] {
            for placeholder in path.parameterNames where !parameterNames.contains(placeholder) {
                decoding.error(entry.value, "path placeholder {\(placeholder)} has no parameter named '\(placeholder)'")
            }
        }
        if let entry = byKey[.parameters] {
            for parameter in parameters where parameter.location == .path && !pathNames.contains(parameter.name) {
                decoding.error(entry.value, "parameter '\(parameter.name)' is in: path but the path has no {\(parameter.name)}")
            }
            if method == .GET, parameters.contains(where: { $0.location == .body }) {
                decoding.error(entry.value, "GET requests carry no body; use in: query for '\(name)'")
            }
        }
        var headers: [(name: String, value: StringTemplate)] = []
        if let entry = byKey[.headers], let items = decoding.mapping(entry.value, "headers") {
            for item in items {
                guard checkHeaderName(item.key, item.keyNode), let text = decoding.string(item.value, "header \(Diagnostic.quoted(item.key))"),
                    let template = stringTemplate(text, item.value, known: parameterNames)
                else { continue }
                if template.isLiteral, !checkHeaderValue(text, item.value, "header \(Diagnostic.quoted(item.key))") { continue }
                headers.append((item.key, template))
            }
        }
        var query: [(name: String, value: StringTemplate)] = []
        if let entry = byKey[.query], let items = decoding.mapping(entry.value, "query") {
            for item in items {
                guard let text = decoding.string(item.value, "query \(item.key)"),
                    let template = stringTemplate(text, item.value, known: parameterNames)
                else { continue }
                query.append((item.key, template))
            }
        }
        var body: ValueTemplate?
        if let entry = byKey[.body] {
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
        if let entry = byKey[.annotations], let items = decoding.mapping(entry.value, "annotations", keys: AnnotationKey.self) {
            var written = ToolAnnotations()
            for (key, item) in items.keyed {
                switch key {
                case .title: written.title = decoding.string(item.value, "annotations.title")
                case .readOnly: written.readOnly = decoding.bool(item.value, "annotations.read_only")
                case .destructive: written.destructive = decoding.bool(item.value, "annotations.destructive")
                case .idempotent: written.idempotent = decoding.bool(item.value, "annotations.idempotent")
                case .openWorld: written.openWorld = decoding.bool(item.value, "annotations.open_world")
                }
            }
            annotations = written.overriding(annotations)
        }
        let response = byKey[.response].flatMap { readResponse($0.value) } ?? ResponseShaping()
        let timeout = byKey[.timeout].flatMap { decoding.duration($0.value, "timeout") }
        let maxResponseBytes = byKey[.maxResponseBytes].flatMap { decoding.byteSize($0.value, "max_response_bytes") }
        let limits = byKey[.limits].flatMap { readLimits($0.value) } ?? CallLimits()
        var retries: RetryPolicy?
        if let entry = byKey[.retries], let policy = readRetries(entry.value) {
            retries = policy
            // A retried POST could create twice what the caller asked for once.
            if policy.maxRetries > 0, !(method.isIdempotent || annotations.idempotent == true) {
                decoding.error(
                    entry.value,
                    "retries apply only to idempotent calls: \(method.rawValue) is not; set annotations.idempotent: true if repeating it is safe")
            }
        }
        let scopes = byKey[.scopes].flatMap { readScopes($0.value) } ?? defaultScopes
        let tags = byKey[.tags].flatMap { readTags($0.value) } ?? []
        let baseURL = byKey[.baseURL].flatMap { readBaseURL($0.value, "base_url") }
        var bodyFormat = BodyFormat.json
        if let entry = byKey[.bodyFormat], let text = decoding.string(entry.value, "body_format") {
            if let format = BodyFormat(rawValue: text) {
                bodyFormat = format
                if method == .GET, format != .json { decoding.error(entry.keyNode, "GET requests carry no body") }
            } else {
                decoding.error(
                    entry.value, "body_format must be one of \(BodyFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let pagination = byKey[.pagination].flatMap { readPagination($0.value) }
        if let entry = byKey[.pagination], method != .GET {
            decoding.error(entry.keyNode, "pagination is for GET tools: a page is read again when the model continues")
        }
        var confirmation: Confirmation?
        if let entry = byKey[.confirm] {
            confirmation = readConfirmation(entry.value, known: parameterNames) ?? nil
        } else if confirmationPolicy.applies(to: annotations) {
            confirmation = Confirmation()
        }
        if bodyFormat == .multipart {
            // Tell the model how a file travels: as base64 in the argument.
            for index in parameters.indices where parameters[index].location == .body && parameters[index].isFile {
                guard case .object(var schema) = parameters[index].schema else { continue }
                schema["contentEncoding"] = "base64"
                let note = "The file's content, base64-encoded."
                schema["description"] = .string(schema["description"]?.stringValue.map { $0 + " " + note } ?? note)
                parameters[index].schema = .object(schema)
            }
        }
        guard decoding.diagnostics.count == errorsBefore, let path else { return nil }
        let inputSchema: JSONSchema
        if let declaredSchema {
            inputSchema = declaredSchema
        } else if byKey[.inputSchema] != nil {
            return nil
        } else {
            do {
                inputSchema = try JSONSchema(ToolDefinition.inputSchema(for: parameters))
            } catch {
                decoding.error(byKey[.parameters]?.value ?? node, "invalid parameters: \(error)")
                return nil
            }
        }
        var schema = inputSchema
        if pagination != nil, let entry = byKey[.pagination] {
            guard let withCursor = addingCursor(to: inputSchema, node: entry.value) else { return nil }
            schema = withCursor
        }
        var tool = ToolDefinition(
            name: name, title: title, description: description, method: method, path: path, parameters: parameters,
            headers: headers, query: query, body: body, annotations: annotations, response: response, timeout: timeout,
            maxResponseBytes: maxResponseBytes, limits: limits, retries: retries,
            inputSchema: schema, scopes: scopes, tags: tags, confirmation: confirmation,
            location: decoding.location(nameEntry.value))
        tool.pagination = pagination
        tool.baseURL = baseURL
        tool.bodyFormat = bodyFormat
        return tool
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
}

import Foundation
import ConnectorModel
import GatehouseJSON
import OpenAPIKit

/// Turns one operation of the document into one tool: its parameters, its
/// JSON body as parameters plus a body template, its summary and description.
///
/// An operation is skipped only when a tool could not call it correctly: a
/// required input the connector format cannot carry, or a method it has no
/// form for. Optional parts it cannot carry are left out with a note.
struct OperationMapper {
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    /// Headers the gateway sets itself; OpenAPI says to ignore them as
    /// parameters too.
    static let reservedHeaders: Set<String> = ["accept", "content-type", "authorization"]

    /// What became of one operation.
    enum Outcome {
        case tool(ToolDraft)
        case skipped(reason: String)
    }

    private struct Skip: Error {
        var reason: String
    }

    /// The document's own server URL, which tools need not repeat; an
    /// operation or path with another server gets its own `base_url`.
    var documentServer: String?

    func map(_ endpoint: ResolvedEndpoint) -> Outcome {
        do {
            return .tool(try draft(endpoint))
        } catch {
            return .skipped(reason: error.reason)
        }
    }

    static func origin(of endpoint: ResolvedEndpoint) -> String {
        let route = "\(endpoint.method.rawValue.uppercased()) \(endpoint.path.rawValue)"
        return endpoint.operationId.map { "\($0) (\(route))" } ?? route
    }

    private func draft(_ endpoint: ResolvedEndpoint) throws(Skip) -> ToolDraft {
        let method = endpoint.method.rawValue.uppercased()
        guard Self.methods.contains(method) else {
            throw Skip(reason: "the connector format has no \(method) tools (only GET, POST, PUT, PATCH and DELETE)")
        }
        var draft = ToolDraft(
            name: Naming.toolName(operationId: endpoint.operationId, method: method, path: endpoint.path.rawValue),
            description: "", method: method, path: endpoint.path.rawValue, parameters: [:], origin: Self.origin(of: endpoint))
        describe(&draft, endpoint)
        addServer(endpoint, to: &draft)
        var names = ArgumentNames()
        try addPathParameters(endpoint, to: &draft, names: &names)
        for parameter in endpoint.parameters where parameter.location != .path {
            try addParameter(parameter, to: &draft, names: &names)
        }
        if let request = endpoint.requestBody {
            try addBody(request, to: &draft, names: &names)
        }
        addOutputSchema(endpoint, to: &draft)
        addPagination(endpoint, to: &draft)
        return draft
    }

    /// An operation- or path-level server that is not the document's
    /// becomes the tool's own `base_url` (DigitalOcean's and Box's upload
    /// hosts, for example).
    private func addServer(_ endpoint: ResolvedEndpoint, to draft: inout ToolDraft) {
        guard let server = endpoint.servers.first else { return }
        do throws(ImportError) {
            let url = try BaseURLChoice.resolve(option: nil, servers: [server])
            if url != documentServer { draft.baseURL = url }
        } catch {
            let written = server.urlTemplate.absoluteString
            if written != documentServer {
                draft.notes.append("its own server '\(written)' cannot be used (\(error.message)); it goes to the connector's base_url")
            }
        }
    }

    /// Pagination the document makes clear; the parameters it sets are no
    /// longer the model's to pass, and the tool takes a `cursor` instead.
    private func addPagination(_ endpoint: ResolvedEndpoint, to draft: inout ToolDraft) {
        guard let guess = PaginationGuess.guess(endpoint) else { return }
        let wireName = { (key: String, entry: JSONValue) in entry["name"]?.stringValue ?? key }
        let kept = draft.parameters.filter { key, entry in
            !(guess.consumed.contains(wireName(key, entry)) && (entry["in"]?.stringValue ?? "query") == "query")
        }
        guard kept["cursor"] == nil else {
            draft.notes.append("pagination left out: the operation has a parameter named 'cursor', which a paginated tool takes itself")
            return
        }
        draft.parameters = kept
        draft.pagination = guess.entry
    }

    /// The largest response schema written as `output_schema`: it keeps a
    /// file reviewable, and beyond it a schema describes more than a model
    /// should be handed.
    static let maximumOutputSchemaBytes = 16 * 1024

    /// The first 2xx JSON answer's schema, when it describes an object (MCP
    /// structured results are objects), compiles here, and is not too large.
    /// A mismatching answer is lenient by default, so a document that is
    /// not quite right costs the structured copy, never the call.
    private func addOutputSchema(_ endpoint: ResolvedEndpoint, to draft: inout ToolDraft) {
        guard let response = endpoint.responses.first(where: { $0.key.isSuccess })?.value,
            let (_, content) = Self.jsonContent(of: response.content), let schema = content.schema
        else { return }
        guard case .object = schema else { return }
        // A schema with this many parts is far past the size limit: say so
        // without encoding it.
        guard !SchemaShape.exceeds(schema, nodes: Self.maximumOutputSchemaBytes / 16) else {
            draft.notes.append("output_schema left out: the response schema is larger than \(Self.maximumOutputSchemaBytes / 1024) KiB")
            return
        }
        // Sorted keys: the same document must give the same file.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(schema.jsonSchema), let json = try? JSONParser.parse(Array(data)) else { return }
        guard case .string("object")? = json["type"] else { return }
        guard data.count <= Self.maximumOutputSchemaBytes else {
            draft.notes.append("output_schema left out: the response schema is larger than \(Self.maximumOutputSchemaBytes / 1024) KiB")
            return
        }
        guard (try? JSONSchema(json)) != nil else {
            draft.notes.append("output_schema left out: the response schema does not compile as JSON Schema")
            return
        }
        draft.outputSchema = json
    }

    /// Where an argument goes when the file does not say: the connector
    /// format's own default, so `in:` is written only where it differs.
    private static func defaultLocation(for method: String) -> String {
        method == "GET" || method == "DELETE" ? "query" : "body"
    }

        // MARK: Descriptions

    private func describe(_ draft: inout ToolDraft, _ endpoint: ResolvedEndpoint) {
        let summary = Text.nonEmpty(endpoint.endpointSummary)
        let details = Text.nonEmpty(endpoint.endpointDescription)
        var description =
            details ?? summary ?? Text.nonEmpty(endpoint.routeDescription) ?? Text.nonEmpty(endpoint.routeSummary)
            ?? "\(draft.method) \(endpoint.path.rawValue)"
        if endpoint.deprecated { description = "Deprecated. " + description }
        draft.description = description
        // A summary that is not already the description makes a good title.
        if let summary, let details, summary != details, !summary.contains("\n") { draft.title = summary }
    }

    // MARK: Parameters

    /// Path parameters in the order the path names them, each placeholder
    /// renamed where its name cannot be an argument's.
    private func addPathParameters(_ endpoint: ResolvedEndpoint, to draft: inout ToolDraft, names: inout ArgumentNames) throws(Skip) {
        let (route, fixedQuery) = Self.route(endpoint.path.rawValue)
        draft.query = fixedQuery
        let placeholders = Self.placeholders(in: route)
        let declared = endpoint.parameters.filter { $0.location == .path }
        var renamed: [String: String] = [:]
        for placeholder in placeholders {
            let name = names.claim(placeholder, prefix: "path")
            renamed[placeholder] = name
            guard let parameter = declared.first(where: { $0.name == placeholder }) else {
                draft.parameters[name] = ["type": "string"]
                draft.notes.append("the path parameter '\(placeholder)' is not declared; it is taken as a string")
                continue
            }
            let schema: JSONObject
            do { schema = try parameterSchema(parameter, location: "path", notes: &draft.notes) } catch {
                throw Skip(reason: "its path parameter '\(placeholder)' cannot be passed: \(error.reason)")
            }
            var entry = Self.entry(schema, description: parameter.description)
            if Self.allowsSlashes(parameter, placeholder: placeholder, route: route) { entry["slashes"] = true }
            draft.parameters[name] = .object(entry)
        }
        for parameter in declared where !placeholders.contains(parameter.name) {
            draft.notes.append("the path parameter '\(parameter.name)' is left out: the path has no {\(parameter.name)}")
        }
        draft.path = Self.renaming(placeholders: renamed, in: route)
    }

    /// A query or header parameter; others are left out, or the whole
    /// operation when the parameter is required.
    private func addParameter(_ parameter: DereferencedParameter, to draft: inout ToolDraft, names: inout ArgumentNames) throws(Skip) {
        let location = parameter.location.rawValue
        if parameter.location == .header, Self.reservedHeaders.contains(parameter.name.lowercased()) {
            draft.notes.append("the header parameter '\(parameter.name)' is left out: the gateway sets that header itself")
            return
        }
        let schema: JSONObject
        do throws(Skip) {
            guard parameter.location == .query || parameter.location == .header else {
                throw Skip(reason: "\(location) parameters are not supported by the connector format")
            }
            if parameter.location == .header, !HTTPSyntax.isHeaderName(parameter.name) {
                throw Skip(reason: "it is not a valid HTTP header name")
            }
            schema = try parameterSchema(parameter, location: location, notes: &draft.notes)
        } catch {
            if parameter.required {
                throw Skip(reason: "its required \(location) parameter '\(parameter.name)' cannot be passed: \(error.reason)")
            }
            draft.notes.append("the optional \(location) parameter '\(parameter.name)' is left out: \(error.reason)")
            return
        }
        let name = names.claim(parameter.name, prefix: location)
        var explode: Bool?
        if case .string("array")? = schema["type"], parameter.location == .query, case .a(let context) = parameter.schemaOrContent,
            !context.explode
        {
            explode = false
        }
        draft.parameters[name] = .object(
            Self.entry(
                schema, location: location == Self.defaultLocation(for: draft.method) ? nil : location,
                upstreamName: name == parameter.name ? nil : parameter.name, required: parameter.required, explode: explode,
                description: parameter.description))
    }

    /// The schema of a path, query or header parameter, or why it cannot be
    /// passed that way.
    private func parameterSchema(_ parameter: DereferencedParameter, location: String, notes: inout [String]) throws(Skip)
        -> JSONObject
    {
        guard case .a(let context) = parameter.schemaOrContent else {
            throw Skip(reason: "its value is described as a media type ('content'), not a schema")
        }
        var mapper = SchemaMapper()
        let schema: JSONObject
        do { schema = try mapper.map(context.schema) } catch { throw Skip(reason: error.reason) }
        notes += mapper.notes.map { "parameter '\(parameter.name)': \($0)" }
        switch schema["type"]?.stringValue {
        case "object":
            throw Skip(reason: "objects can only be sent in a JSON body")
        case "array":
            if case .object(let items)? = schema["items"], ["object", "array"].contains(items["type"]?.stringValue ?? "") {
                throw Skip(reason: "arrays of objects or arrays can only be sent in a JSON body")
            }
            switch context.style {
            case .form, .simple: break
            default: throw Skip(reason: "arrays in the \(context.style) style are not supported (only comma-separated or repeated)")
            }
        default:
            break
        }
        if location == "path", context.style != .simple {
            throw Skip(reason: "path parameters in the \(context.style) style are not supported")
        }
        return schema
    }

    /// A parameter entry: its type, then where it goes, then the rest of
    /// its schema, then its description.
    static func entry(
        _ schema: JSONObject, location: String? = nil, upstreamName: String? = nil, required: Bool = false, explode: Bool? = nil,
        description: String? = nil
    ) -> JSONObject {
        var out: JSONObject = ["type": schema["type"] ?? "string"]
        if let location { out["in"] = .string(location) }
        if let upstreamName { out["as"] = .string(upstreamName) }
        if required { out["required"] = true }
        if let explode { out["explode"] = .bool(explode) }
        for (key, value) in schema where !["type", "required", "description"].contains(key) { out[key] = value }
        let schemaDescription = schema["description"]?.stringValue
        if var description = Text.nonEmpty(description).map(Text.clean) ?? schemaDescription {
            // The parameter's own words win, keeping what the schema says
            // of the API's default.
            if let schemaDescription, let range = schemaDescription.range(of: SchemaMapper.defaultNotePrefix),
                !description.contains(SchemaMapper.defaultNotePrefix)
            {
                let note = String(schemaDescription[range.lowerBound...])
                description += (description.hasSuffix(".") ? " " : ". ") + note
            }
            out["description"] = .string(description)
        }
        return out
    }

    /// `/pets/{petId}/photos` → `["petId"]`.
    static func placeholders(in path: String) -> [String] {
        var names: [String] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            if !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Whether a path value may hold `/`: the document says so
    /// (`allowReserved`), or the route ends in `{path}` and the parameter is
    /// described as a path (GitHub's `contents/{path}`, Kubernetes' `proxy/{path}`).
    static func allowsSlashes(_ parameter: DereferencedParameter, placeholder: String, route: String) -> Bool {
        if case .a(let context) = parameter.schemaOrContent, context.allowReserved { return true }
        guard route.hasSuffix("{\(placeholder)}"), placeholder.lowercased().hasSuffix("path") else { return false }
        let description = (parameter.description ?? "").lowercased()
        return description.contains("path")
    }

    /// A documented path as a route: a `#fragment` (Box tells operations on
    /// one path apart with it) is dropped, and fixed `?key=value` items
    /// (OpenAI's) become the tool's `query:`.
    static func route(_ path: String) -> (path: String, query: [(String, String)]) {
        var path = path
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        guard let question = path.firstIndex(of: "?") else { return (path, []) }
        let items = path[path.index(after: question)...].split(separator: "&").compactMap { item -> (String, String)? in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map(String.init), !name.isEmpty else { return nil }
            let value = parts.count > 1 ? String(parts[1]) : ""
            return (name.removingPercentEncoding ?? name, value.removingPercentEncoding ?? value)
        }
        return (String(path[..<question]), items)
    }

    static func renaming(placeholders names: [String: String], in path: String) -> String {
        var result = path
        for (original, renamed) in names where original != renamed {
            result = result.replacingOccurrences(of: "{\(original)}", with: "{\(renamed)}")
        }
        return result
    }

    // MARK: Body

    private func addBody(_ request: DereferencedRequest, to draft: inout ToolDraft, names: inout ArgumentNames) throws(Skip) {
        let required = request.required
        func leaveOut(_ reason: String) throws(Skip) {
            if required { throw Skip(reason: "its request body cannot be sent: \(reason)") }
            draft.notes.append("the optional request body is left out: \(reason)")
        }
        guard let (contentType, content, format) = Self.bodyContent(of: request.content) else {
            let offered = request.content.keys.map(\.rawValue).joined(separator: ", ")
            try leaveOut(
                "it is \(offered.isEmpty ? "not described" : offered); only JSON, form and multipart bodies are supported")
            return
        }
        guard draft.method != "GET" else {
            try leaveOut("the connector format sends no body with GET")
            return
        }
        guard let bodySchema = content.schema else {
            try leaveOut("its JSON has no schema")
            return
        }
        var mapper = SchemaMapper()
        mapper.collectsUnions = format == .json
        let schema: JSONObject
        do { schema = try mapper.map(bodySchema) } catch {
            try leaveOut(error.reason)
            return
        }
        draft.notes += mapper.notes.map { "request body: \($0)" }
        if format == .json, contentType.typeAndSubtype.lowercased() != "application/json" {
            draft.headers.append(("Content-Type", contentType.typeAndSubtype))
        }
        if format != .json {
            draft.bodyFormat = format
            // Fields are what a form carries: a body without named fields
            // would be a tool that sends nothing.
            guard case .string("object")? = schema["type"], case .object(let properties)? = schema["properties"], !properties.isEmpty else {
                // A form that allows no fields at all (Stripe's deletes)
                // has nothing to send: the tool sends no body.
                if case .object(_, let context) = bodySchema, context.properties.isEmpty, case .a(false)? = context.additionalProperties {
                    draft.notes.append("the request body allows no fields; none is sent")
                    draft.bodyFormat = .json
                    return
                }
                throw Skip(reason: "its \(contentType.typeAndSubtype) body has no described fields")
            }
            if format == .form, content.encodingMap?.values.contains(where: { $0.style == .deepObject }) == true {
                draft.bodyFormat = .formBrackets
            }
        }
        let location = Self.defaultLocation(for: draft.method) == "body" ? nil : "body"

        if case .string("object")? = schema["type"], case .object(let properties)? = schema["properties"] {
            // Each property becomes a parameter; the template puts it back
            // under its own name.
            var template = JSONObject()
            for (property, value) in properties {
                let propertySchema = value.objectValue ?? [:]
                let name = names.claim(property, prefix: "body")
                // A field the schema requires is required even when the
                // body as a whole is not: the API refuses a body without it.
                let isRequired = propertySchema["required"] == .bool(true)
                draft.parameters[name] = .object(Self.entry(propertySchema, location: location, required: isRequired))
                template[property] = .string("{{ \(name) }}")
                if let alternatives = mapper.unions[property] { draft.unions[name] = alternatives }
            }
            draft.body = .object(template)
        } else {
            // A list, a scalar or a free-form object is one argument.
            let name = names.claim("body", prefix: "request")
            let description = schema["description"]?.stringValue ?? Text.nonEmpty(request.description) ?? "The request body."
            draft.parameters[name] = .object(Self.entry(schema, location: location, required: required, description: description))
            draft.body = .string("{{ \(name) }}")
        }
    }

    /// The body a tool sends: JSON first (see ``jsonContent(of:)``), then a
    /// form, then multipart.
    static func bodyContent(of content: DereferencedContent.Map) -> (OpenAPI.ContentType, DereferencedContent, BodyFormat)? {
        if let (type, json) = jsonContent(of: content) { return (type, json, .json) }
        for (type, entry) in content {
            switch type.typeAndSubtype.lowercased() {
            case "application/x-www-form-urlencoded": return (type, entry, .form)
            case "multipart/form-data": return (type, entry, .multipart)
            default: continue
            }
        }
        return nil
    }

    /// The JSON media type of a body: `application/json` first, then any
    /// `+json` type (`application/merge-patch+json`).
    static func jsonContent(of content: DereferencedContent.Map) -> (OpenAPI.ContentType, DereferencedContent)? {
        let entries = content.map { ($0.key, $0.value) }
        // Kubernetes offers one PATCH body in several forms: a merge patch
        // is an object like the resource, what a caller means; a JSON Patch
        // (RFC 6902) is a list of operations, which the same schema does not
        // describe, so it comes last.
        for preferred in ["application/json", "application/merge-patch+json"] {
            if let exact = entries.first(where: { $0.0.typeAndSubtype.lowercased() == preferred }) { return exact }
        }
        let jsonLike = entries.filter { entry in
            let type = entry.0.typeAndSubtype.lowercased()
            return type.hasSuffix("+json") || type == "text/json"
        }
        return jsonLike.first { $0.0.typeAndSubtype.lowercased() != "application/json-patch+json" } ?? jsonLike.first
    }
}

/// The argument names of one tool. The first to want a name gets it; a later
/// one is prefixed with where it goes (`query_id`, `body_name`), so a path's
/// `{name}` and a body's `name` can both be passed.
private struct ArgumentNames {
    private var taken = Set<String>()

    mutating func claim(_ original: String, prefix: String) -> String {
        let base = Naming.parameterName(original)
        let name = taken.contains(base) ? Naming.unique("\(prefix)_\(base)", among: taken) : base
        taken.insert(name)
        return name
    }
}

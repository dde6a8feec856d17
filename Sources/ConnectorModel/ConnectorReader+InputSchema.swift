import GatehouseJSON
import Yams

/// `input_schema:`: a tool's arguments as a JSON Schema 2020-12 document
/// written by hand, for what `parameters:` cannot say (`$defs` and `$ref`,
/// `oneOf`/`anyOf`/`allOf`, `if`/`then`/`else`, `$anchor`).
///
/// The schema is published to clients as written and checks every call.
/// Each top-level property is one argument; where it goes in the request
/// follows the same rules as a parameter (the path if the path names it,
/// otherwise the query for GET and DELETE and the body for the others),
/// and `parameters:` may only move it (`in`, `as`, `explode`).
extension ConnectorReader {
    static let placementKeys = ["in", "as", "explode"]
    static let inputSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema document, when it has the shape of a tool's arguments.
    mutating func readInputSchema(_ node: Yams.Node) -> JSONObject? {
        guard case .mapping = node else {
            decoding.error(node, "input_schema must be a JSON Schema object")
            return nil
        }
        guard case .object(let schema)? = decoding.json(node, "input_schema") else { return nil }
        if let dialect = schema["$schema"] {
            var uri = dialect.stringValue ?? ""
            if uri.hasSuffix("#") { uri.removeLast() }
            guard uri == Self.inputSchemaDialect else {
                decoding.error(node["$schema"] ?? node, "input_schema.$schema must be \(Self.inputSchemaDialect) (or left out)")
                return nil
            }
        }
        guard schema["type"] == "object" else {
            decoding.error(node, "input_schema must describe an object: type: object")
            return nil
        }
        guard case .object? = schema["properties"] else {
            decoding.error(node, "input_schema needs properties: one per argument")
            return nil
        }
        if case .array(let required)? = schema["required"], required.contains(where: { $0.stringValue == nil }) {
            decoding.error(node["required"] ?? node, "input_schema.required must list property names")
            return nil
        }
        return schema
    }

    /// One ``Parameter`` per top-level property, placed as `parameters:`
    /// says or by default.
    mutating func placements(
        for schema: JSONObject, schemaNode: Yams.Node, parametersNode: Yams.Node?, method: HTTPMethod, pathNames: Set<String>
    ) -> [Parameter]? {
        guard case .object(let properties)? = schema["properties"] else { return nil }
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var placed: [String: (entry: YAMLDecoding.Entry, items: [String: YAMLDecoding.Entry])] = [:]
        if let parametersNode, let entries = decoding.mapping(parametersNode, "parameters") {
            for entry in entries {
                guard properties[entry.key] != nil else {
                    decoding.error(entry.keyNode, "parameter '\(entry.key)' is not a property of input_schema")
                    continue
                }
                guard case .mapping = entry.value else {
                    decoding.error(entry.value, "with input_schema, parameter '\(entry.key)' only says where it goes (in, as, explode); declare its type in input_schema")
                    continue
                }
                guard let items = decoding.mapping(entry.value, "parameter '\(entry.key)'") else { continue }
                var byKey: [String: YAMLDecoding.Entry] = [:]
                for item in items {
                    guard Self.placementKeys.contains(item.key) else {
                        decoding.error(item.keyNode, "with input_schema, '\(item.key)' of parameter '\(entry.key)' belongs in input_schema.properties.\(entry.key)")
                        continue
                    }
                    byKey[item.key] = item
                }
                placed[entry.key] = (entry, byKey)
            }
        }
        for name in pathNames where properties[name] == nil || !required.contains(name) {
            decoding.error(schemaNode, "path placeholder {\(name)} needs a required property '\(name)' in input_schema")
        }
        var parameters: [Parameter] = []
        for (name, property) in properties {
            var location: ParameterLocation = pathNames.contains(name) ? .path : method.defaultParameterLocation
            var upstreamName = name
            var explode = true
            if let placement = placed[name] {
                if let item = placement.items["in"], let text = decoding.string(item.value, "in") {
                    if let chosen = ParameterLocation(rawValue: text) {
                        if pathNames.contains(name), chosen != .path {
                            decoding.error(item.value, "parameter '\(name)' appears in the path as {\(name)}, so it must be in: path")
                        } else if chosen == .path, !pathNames.contains(name) {
                            decoding.error(item.value, "parameter '\(name)' is in: path but the path has no {\(name)}")
                        }
                        location = chosen
                    } else {
                        decoding.error(item.value, "in must be one of path, query, header, body")
                    }
                }
                if let item = placement.items["as"], let text = decoding.string(item.value, "as") {
                    upstreamName = text
                    if location == .header { _ = checkHeaderName(text, item.value) }
                }
                explode = placement.items["explode"].flatMap { decoding.bool($0.value, "explode") } ?? true
            }
            if location == .body, method == .GET {
                decoding.error(placed[name]?.entry.keyNode ?? schemaNode, "GET requests carry no body; use in: query for '\(name)'")
            }
            if location != .body, property["type"] == "object" {
                decoding.error(placed[name]?.entry.keyNode ?? schemaNode, "property '\(name)' of type object can only go in the body")
            }
            parameters.append(Parameter(
                name: name, location: location, upstreamName: upstreamName, required: required.contains(name),
                defaultValue: property["default"], schema: property, explode: explode))
        }
        return parameters
    }
}

extension JSONValue {
    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}

import GatehouseJSON
import JSONSchema
import Yams

/// A tool's `input_schema:`: its arguments written as a JSON Schema (2020-12)
/// instead of generated from `parameters:`, for arguments that need `$defs`,
/// `oneOf`, `if`/`then` and the like.
///
/// Each top-level property is one argument. `parameters:` then only places
/// arguments (`in`, `as`, `explode`); a property it does not list goes where
/// an unplaced parameter goes: into the path when the path names it, else the
/// body for POST, PUT and PATCH and the query for GET and DELETE.
extension ConnectorReader {
    static let dialect2020 = "https://json-schema.org/draft/2020-12/schema"

    /// What `input_schema:` yields: one parameter a property, in the order
    /// written, and the compiled schema (absent when it has problems).
    struct DeclaredArguments {
        var parameters: [Parameter] = []
        var schema: JSONSchema?
    }

    mutating func readDeclaredArguments(
        schemaEntry: YAMLDecoding.Entry, parametersEntry: YAMLDecoding.Entry?, pathEntry: YAMLDecoding.Entry?,
        path: PathTemplate?, method: HTTPMethod
    ) -> DeclaredArguments {
        var result = DeclaredArguments()
        let node = schemaEntry.value
        let errorsBefore = decoding.diagnostics.count
        guard let value = decoding.json(node, "input_schema") else { return result }
        guard case .object(let root) = value else {
            decoding.error(node, "input_schema must be a mapping: a JSON Schema with type: object")
            return result
        }
        if let dialect = root["$schema"] {
            let text = dialect.stringValue.map { $0.hasSuffix("#") ? String($0.dropLast()) : $0 }
            if text != Self.dialect2020 {
                decoding.error(
                    Self.node(at: "/$schema", in: node),
                    "input_schema's $schema must be \(Self.dialect2020), the dialect arguments are validated with")
            }
        }
        if root["type"] != .string("object") {
            decoding.error(
                root["type"] == nil ? node : Self.node(at: "/type", in: node),
                "input_schema must have type: object (tool arguments are an object)")
        }
        if root["additionalProperties"] != .bool(false) {
            decoding.error(
                root["additionalProperties"] == nil ? node : Self.node(at: "/additionalProperties", in: node),
                "input_schema must set additionalProperties: false: an argument not named in its properties would have no place in the request")
        }
        if root["patternProperties"] != nil {
            decoding.error(
                Self.node(at: "/patternProperties", in: node),
                "input_schema must not have patternProperties at the top: each argument needs a name of its own in properties")
        }
        guard case .object(let properties)? = root["properties"] else {
            decoding.error(
                root["properties"] == nil ? node : Self.node(at: "/properties", in: node),
                "input_schema needs properties: a mapping with one schema for each argument")
            return result
        }
        var required = Set<String>()
        if case .array(let names)? = root["required"] { required = Set(names.compactMap(\.stringValue)) }
        for name in properties.keys where !NameRules.isParameterName(name) {
            decoding.error(
                Self.keyNode(at: "/properties", key: name, in: node),
                "property name '\(name)' must be 1-64 characters of letters, digits, '_', '-' and '.' (it names an argument)")
        }

        do {
            result.schema = try JSONSchema(value, strict: true)
        } catch {
            var message = "invalid input_schema: \(error)"
            let located = Self.node(at: error.path, in: node)
            if error.message == "$ref must be a string", case .scalar = located, located.tagName == .null {
                message += " (quote it: in YAML a # after a space starts a comment)"
            }
            decoding.error(located, message)
        }

        let pathNames = Set(path?.parameterNames ?? [])
        let placements = readPlacements(parametersEntry, properties: properties, method: method, pathNames: pathNames)
        for (name, propertySchema) in properties {
            let placement =
                placements[name]
                ?? Placement(location: pathNames.contains(name) ? .path : method.defaultParameterLocation, upstreamName: name)
            var defaultValue: JSONValue?
            if case .object(let members) = propertySchema, let written = members["default"] {
                defaultValue = written
                if let problem = result.schema?.validate(written, property: name)?.first {
                    decoding.error(
                        Self.node(at: "/properties/\(escapePointer(name))/default", in: node),
                        "default of property '\(name)' does not fit its schema: \(problem)")
                }
            }
            if placement.location != .body, case .object(let members) = propertySchema, members["type"] == .string("object") {
                decoding.error(
                    placement.node ?? Self.keyNode(at: "/properties", key: name, in: node),
                    "parameter '\(name)' of type object can only go in the body")
            }
            var parameter = Parameter(
                name: name, location: placement.location, upstreamName: placement.upstreamName,
                required: required.contains(name), defaultValue: defaultValue, schema: propertySchema,
                explode: placement.explode)
            parameter.slashes = placement.slashes
            result.parameters.append(parameter)
        }
        if let path, let pathEntry {
            for placeholder in path.parameterNames {
                if properties[placeholder] == nil {
                    decoding.error(pathEntry.value, "path placeholder {\(placeholder)} needs a property '\(placeholder)' in input_schema")
                } else if !required.contains(placeholder) {
                    decoding.error(
                        pathEntry.value, "path placeholder {\(placeholder)} needs '\(placeholder)' in input_schema's required list")
                }
            }
        }
        if decoding.diagnostics.count != errorsBefore { result.schema = nil }
        return result
    }

    /// The `parameters:` entries that go with an `input_schema`: placement only.
    mutating func readPlacements(
        _ entry: YAMLDecoding.Entry?, properties: JSONObject, method: HTTPMethod, pathNames: Set<String>
    ) -> [String: Placement] {
        guard let entry, let items = decoding.mapping(entry.value, "parameters") else { return [:] }
        var placements: [String: Placement] = [:]
        for item in items {
            let name = item.key
            guard properties[name] != nil else {
                decoding.error(item.keyNode, "parameter '\(name)' is not a property of input_schema; declare it there first")
                continue
            }
            guard case .mapping = item.value else {
                decoding.error(
                    item.value,
                    "parameter '\(name)' may only say where the argument goes (in, as, explode); declare its schema in input_schema")
                continue
            }
            guard let keys = decoding.mapping(item.value, "parameter '\(name)'") else { continue }
            var placementKeys: [YAMLDecoding.Entry] = []
            for key in keys {
                if ParameterKey.placementNames.contains(key.key) {
                    placementKeys.append(key)
                } else if ParameterKey(rawValue: key.key) != nil {
                    decoding.error(
                        key.keyNode, "'\(key.key)' of parameter '\(name)' belongs in input_schema: declare it in input_schema")
                } else {
                    var message = "unknown key '\(key.key)' in parameter '\(name)'"
                    if let suggestion = YAMLDecoding.closest(to: key.key, in: ParameterKey.placementNames) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    decoding.error(key.keyNode, message)
                }
            }
            placements[name] = readPlacement(Section(entries: placementKeys), name: name, method: method, pathNames: pathNames)
        }
        return placements
    }

    /// The YAML node a JSON pointer into a decoded mapping names, or the
    /// nearest node above it that exists, so a schema problem points at the
    /// line that causes it.
    static func node(at pointer: String, in root: Yams.Node) -> Yams.Node {
        var current = root
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .mapping(let mapping):
                guard let next = mapping.first(where: { $0.key.scalar?.string == token })?.value else { return current }
                current = next
            case .sequence(let sequence):
                let elements = Array(sequence)
                guard let index = Int(token), elements.indices.contains(index) else { return current }
                current = elements[index]
            default:
                return current
            }
        }
        return current
    }

    /// The key node of `key` in the mapping at `pointer`, for problems with a
    /// name rather than a value.
    static func keyNode(at pointer: String, key: String, in root: Yams.Node) -> Yams.Node {
        let container = node(at: pointer, in: root)
        guard case .mapping(let mapping) = container else { return container }
        return mapping.first { $0.key.scalar?.string == key }?.key ?? container
    }
}

/// Where one argument lands upstream: what `in`, `as` and `explode` say.
struct Placement {
    var location: ParameterLocation
    var upstreamName: String
    var explode = true
    var slashes = false
    /// The `in:` node, when written, for problems with the location.
    var node: Yams.Node?
}

extension ConnectorReader {
    /// Reads `in`, `as` and `explode` of one parameter entry.
    mutating func readPlacement(
        _ byKey: Section<ParameterKey>, name: String, method: HTTPMethod, pathNames: Set<String>
    ) -> Placement {
        var placement = Placement(location: pathNames.contains(name) ? .path : method.defaultParameterLocation, upstreamName: name)
        if let item = byKey[.in], let text = decoding.string(item.value, "in") {
            placement.node = item.value
            if let location = ParameterLocation(rawValue: text) {
                placement.location = location
                if pathNames.contains(name), location != .path {
                    decoding.error(item.value, "parameter '\(name)' appears in the path as {\(name)}, so it must be in: path")
                }
            } else {
                decoding.error(item.value, "in must be one of path, query, header, body")
            }
        }
        if let item = byKey[.as], let text = decoding.string(item.value, "as") {
            placement.upstreamName = text
            if placement.location == .header { _ = checkHeaderName(text, item.value) }
        }
        if let item = byKey[.explode], let explode = decoding.bool(item.value, "explode") { placement.explode = explode }
        if let item = byKey[.slashes], let slashes = decoding.bool(item.value, "slashes") {
            placement.slashes = slashes
            if slashes, placement.location != .path { decoding.error(item.value, "slashes applies to path parameters only") }
        }
        return placement
    }
}

import GatehouseJSON
import JSONSchema
import Yams

/// One entry of `parameters:` and the JSON Schema it stands for.
extension ConnectorReader {
    mutating func readParameter(_ entry: YAMLDecoding.Entry, method: HTTPMethod, pathNames: Set<String>) -> Parameter? {
        let name = entry.key
        guard NameRules.isParameterName(name) else {
            decoding.error(entry.keyNode, "parameter name '\(name)' must be 1-64 characters of letters, digits, '_', '-' and '.'")
            return nil
        }
        // `limit: integer` is shorthand for `limit: { type: integer }`.
        if case .scalar = entry.value, let type = decoding.string(entry.value, "parameter \(name)") {
            guard ParameterKey.types.contains(type) else {
                decoding.error(entry.value, "parameter type must be one of \(ParameterKey.types.joined(separator: ", "))")
                return nil
            }
            let location: ParameterLocation = pathNames.contains(name) ? .path : method.defaultParameterLocation
            return Parameter(name: name, location: location, required: location == .path, schema: ["type": .string(type)])
        }
        guard let byKey = decoding.mapping(entry.value, "parameter '\(name)'", keys: ParameterKey.self) else { return nil }
        let placement = readPlacement(byKey, name: name, method: method, pathNames: pathNames)
        let location = placement.location
        var required = byKey[.required].flatMap { decoding.bool($0.value, "required") } ?? false
        guard let schema = readSchema(byKey, node: entry.value, what: "parameter '\(name)'", depth: 0) else { return nil }
        let defaultValue = byKey[.default].flatMap { decoding.json($0.value, "default") }
        if location == .path {
            if byKey[.required] != nil, !required, defaultValue == nil {
                decoding.error(byKey[.required]!.value, "path parameter '\(name)' must be required or have a default")
            }
            required = defaultValue == nil
        }
        if location == .header || location == .path || location == .query,
            case .string(let type)? = schema["type"], type == "object"
        {
            decoding.error(entry.value, "parameter '\(name)' of type object can only go in the body")
        }
        var parameter = Parameter(
            name: name, location: location, upstreamName: placement.upstreamName, required: required,
            defaultValue: defaultValue, schema: schema, explode: placement.explode)
        parameter.slashes = placement.slashes
        return parameter
    }

    /// The JSON Schema of one parameter (or of a nested `items`/`properties`).
    mutating func readSchema(_ byKey: Section<ParameterKey>, node: Yams.Node, what: String, depth: Int) -> JSONValue? {
        // Aliased `properties` could otherwise multiply the work level by level.
        guard decoding.spend(node) else { return nil }
        guard depth < 16 else {
            decoding.error(node, "\(what) is nested too deeply")
            return nil
        }
        var schema = JSONObject()
        var type = "string"
        if let item = byKey[.type], let text = decoding.string(item.value, "type") {
            guard ParameterKey.types.contains(text) else {
                decoding.error(item.value, "type must be one of \(ParameterKey.types.joined(separator: ", "))")
                return nil
            }
            type = text
        }
        schema["type"] = .string(type)
        let errorsBefore = decoding.diagnostics.count
        for (key, item) in byKey.keyed {
            switch key {
            case .description:
                if let text = decoding.string(item.value, "description") { schema["description"] = .string(text) }
            case .enum:
                if let values = decoding.sequence(item.value, "enum") {
                    if values.isEmpty { decoding.error(item.value, "enum must list at least one value") }
                    schema["enum"] = .array(values.compactMap { decoding.json($0, "enum") })
                }
            case .minimum, .maximum:
                guard type == "integer" || type == "number" else {
                    decoding.error(item.keyNode, "\(item.key) applies to integer and number parameters only")
                    continue
                }
                if let value = decoding.number(item.value, item.key) { schema[item.key] = value }
            case .pattern:
                guard type == "string" else {
                    decoding.error(item.keyNode, "pattern applies to string parameters only")
                    continue
                }
                if let text = decoding.string(item.value, "pattern") { schema["pattern"] = .string(text) }
            case .format:
                if let text = decoding.string(item.value, "format") { schema["format"] = .string(text) }
            case .minLength, .maxLength:
                guard type == "string" else {
                    decoding.error(item.keyNode, "\(item.key) applies to string parameters only")
                    continue
                }
                if let value = decoding.integer(item.value, item.key, range: 0...Int(Int32.max)) {
                    schema[key == .minLength ? "minLength" : "maxLength"] = .int(Int64(value))
                }
            case .minItems, .maxItems:
                guard type == "array" else {
                    decoding.error(item.keyNode, "\(item.key) applies to array parameters only")
                    continue
                }
                if let value = decoding.integer(item.value, item.key, range: 0...Int(Int32.max)) {
                    schema[key == .minItems ? "minItems" : "maxItems"] = .int(Int64(value))
                }
            case .items:
                guard type == "array" else {
                    decoding.error(item.keyNode, "items applies to array parameters only")
                    continue
                }
                if let nested = nestedSchema(item.value, what: "\(what) items", depth: depth) { schema["items"] = nested }
            case .properties:
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
                    if case .mapping = member.value, let requiredNode = member.value[ParameterKey.required.rawValue],
                        decoding.bool(requiredNode, "required") == true
                    {
                        required.append(.string(member.key))
                    }
                }
                schema["properties"] = .object(properties)
                if !required.isEmpty { schema["required"] = .array(required) }
            case .additionalProperties:
                guard type == "object" else {
                    decoding.error(item.keyNode, "additional_properties applies to object parameters only")
                    continue
                }
                if let value = decoding.bool(item.value, "additional_properties") { schema["additionalProperties"] = .bool(value) }
            case .type, .default, .required, .in, .as, .explode, .slashes:
                break  // handled by the caller or above
            }
        }
        if let item = byKey[.default], let value = decoding.json(item.value, "default") {
            schema["default"] = value
        }
        guard decoding.diagnostics.count == errorsBefore else { return nil }
        let result = JSONValue.object(schema)
        do {
            let compiled = try JSONSchema(result)
            if let defaultValue = schema["default"], let problem = compiled.validate(defaultValue).first {
                decoding.error(byKey[.default]!.value, "default does not fit the parameter: \(problem.message)")
                return nil
            }
            if case .array(let values)? = schema["enum"] {
                var typeOnly = schema
                typeOnly["enum"] = nil
                typeOnly["default"] = nil
                let typeSchema = try JSONSchema(.object(typeOnly))
                for value in values {
                    if let problem = typeSchema.validate(value).first {
                        decoding.error(byKey[.enum]!.value, "enum value \(value.jsonString) does not fit the parameter: \(problem.message)")
                        return nil
                    }
                }
            }
        } catch {
            decoding.error(byKey[.pattern]?.value ?? node, "\(what): \(error)")
            return nil
        }
        return result
    }

    mutating func nestedSchema(_ node: Yams.Node, what: String, depth: Int) -> JSONValue? {
        if case .scalar = node, let type = decoding.string(node, what) {
            guard ParameterKey.types.contains(type) else {
                decoding.error(node, "type must be one of \(ParameterKey.types.joined(separator: ", "))")
                return nil
            }
            return ["type": .string(type)]
        }
        guard let items = decoding.mapping(node, what, allowed: ParameterKey.nestedSchemaNames) else { return nil }
        return readSchema(Section(entries: items), node: node, what: what, depth: depth + 1)
    }
}

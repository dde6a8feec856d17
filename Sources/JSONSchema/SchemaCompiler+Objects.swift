import GatehouseJSON

/// `properties`, `required`, `additionalProperties`, `patternProperties`,
/// `propertyNames`, the property counts and the dependencies.
extension Compiler {
    mutating func objectKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "properties":
            for (name, index) in try schemaMap(key, value, of: schema) { schema.spec.properties[name] = index }
        case "required":
            schema.spec.required = try schema.stringList(key, value)
        case "additionalProperties":
            schema.spec.additionalProperties = try child(value, "/additionalProperties", of: schema)
        case "patternProperties":
            guard case .object(let map) = value else { throw schema.error(key, "patternProperties must be an object of schemas") }
            for (source, element) in map {
                let compiled = try schema.pattern(key, source)
                schema.spec.patternProperties.append(
                    (compiled, try child(element, "/patternProperties/\(escapePointer(source))", of: schema)))
            }
        case "propertyNames":
            schema.spec.propertyNames = try child(value, "/propertyNames", of: schema)
        case "minProperties":
            schema.spec.minProperties = try schema.nonNegative(key, value)
        case "maxProperties":
            schema.spec.maxProperties = try schema.nonNegative(key, value)
        case "dependentRequired":
            guard case .object(let map) = value else {
                throw schema.error(key, "dependentRequired must be an object of string arrays")
            }
            for (name, list) in map {
                schema.spec.dependentRequired.append((name, try schema.stringList(key, list)))
            }
        case "dependentSchemas":
            schema.spec.dependentSchemas += try schemaMap(key, value, of: schema)
        case "dependencies":  // draft-07: both forms under one keyword
            guard case .object(let map) = value else { throw schema.error(key, "dependencies must be an object") }
            for (name, element) in map {
                if case .array = element {
                    schema.spec.dependentRequired.append((name, try schema.stringList(key, element)))
                } else {
                    schema.spec.dependentSchemas.append((name, try child(element, "/dependencies/\(escapePointer(name))", of: schema)))
                }
            }
        default:
            return nil
        }
        return .validates
    }
}

import GatehouseJSON

/// `items` (both drafts' forms), `prefixItems`, the item counts,
/// `uniqueItems` and `contains`.
extension Compiler {
    mutating func arrayKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "items":
            if case .array = value {  // draft-07 tuple form
                schema.itemsList = try schemaList(key, value, of: schema)
            } else {
                schema.spec.items = try child(value, "/items", of: schema)
            }
        case "prefixItems":
            schema.spec.prefixItems = try schemaList(key, value, of: schema)
        case "additionalItems":
            schema.additionalItems = try child(value, "/additionalItems", of: schema)
            return .modifies
        case "minItems":
            schema.spec.minItems = try schema.nonNegative(key, value)
        case "maxItems":
            schema.spec.maxItems = try schema.nonNegative(key, value)
        case "uniqueItems":
            guard case .bool(let b) = value else { throw schema.error(key, "uniqueItems must be a boolean") }
            schema.spec.uniqueItems = b
        case "contains":
            schema.spec.contains = try child(value, "/contains", of: schema)
        case "minContains":
            schema.spec.minContains = try schema.nonNegative(key, value)
            return .modifies
        case "maxContains":
            schema.spec.maxContains = try schema.nonNegative(key, value)
            return .modifies
        default:
            return nil
        }
        return .validates
    }
}

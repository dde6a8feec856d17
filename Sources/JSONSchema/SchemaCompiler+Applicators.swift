import GatehouseJSON

/// `allOf`, `anyOf`, `oneOf`, `not` and `if`/`then`/`else`.
extension Compiler {
    mutating func applicatorKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "allOf":
            schema.spec.allOf = try schemaList(key, value, of: schema)
        case "anyOf":
            schema.spec.anyOf = try schemaList(key, value, of: schema)
        case "oneOf":
            schema.spec.oneOf = try schemaList(key, value, of: schema)
        case "not":
            schema.spec.not = try child(value, "/not", of: schema)
        case "if":
            schema.spec.ifSchema = try child(value, "/if", of: schema)
        case "then":
            schema.spec.thenSchema = try child(value, "/then", of: schema)
            return .modifies
        case "else":
            schema.spec.elseSchema = try child(value, "/else", of: schema)
            return .modifies
        default:
            return nil
        }
        return .validates
    }
}

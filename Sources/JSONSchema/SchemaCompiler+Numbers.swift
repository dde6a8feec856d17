import GatehouseJSON

/// `minimum`, `maximum`, their exclusive forms and `multipleOf`.
extension Compiler {
    func numberKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "minimum":
            schema.spec.minimum = try schema.number(key, value)
        case "maximum":
            schema.spec.maximum = try schema.number(key, value)
        case "exclusiveMinimum":
            // The OpenAPI 3.0 / draft-04 form turns `minimum` exclusive.
            if case .bool(let b) = value { schema.exclusiveMinimumFlag = b; return .modifies }
            schema.spec.exclusiveMinimum = try schema.number(key, value)
        case "exclusiveMaximum":
            if case .bool(let b) = value { schema.exclusiveMaximumFlag = b; return .modifies }
            schema.spec.exclusiveMaximum = try schema.number(key, value)
        case "multipleOf":
            let n = try schema.number(key, value)
            guard n.double > 0 else { throw schema.error(key, "multipleOf must be greater than 0") }
            schema.spec.multipleOf = n
        default:
            return nil
        }
        return .validates
    }
}

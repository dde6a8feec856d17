import GatehouseJSON

/// `minLength`, `maxLength` and `pattern`.
extension Compiler {
    func stringKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "minLength":
            schema.spec.minLength = try schema.nonNegative(key, value)
        case "maxLength":
            schema.spec.maxLength = try schema.nonNegative(key, value)
        case "pattern":
            guard let source = value.stringValue else { throw schema.error(key, "pattern must be a string") }
            schema.spec.pattern = try schema.pattern(key, source)
        default:
            return nil
        }
        return .validates
    }
}

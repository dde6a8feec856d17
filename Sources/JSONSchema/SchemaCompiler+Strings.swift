import GatehouseJSON

/// `pattern`, `minLength` and `maxLength`.
extension Compiler {
    func stringKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "pattern":
            guard let source = value.stringValue else { throw schema.error(key, "pattern must be a string") }
            schema.spec.pattern = try schema.pattern(key, source)
        case "minLength":
            schema.spec.minLength = try schema.nonNegative(key, value)
        case "maxLength":
            schema.spec.maxLength = try schema.nonNegative(key, value)
        default:
            return nil
        }
        return .validates
    }
}

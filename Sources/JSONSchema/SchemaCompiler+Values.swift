import GatehouseJSON

/// `type`, `enum` and `const`: what kind of value, or which values exactly.
extension Compiler {
    mutating func valueKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "type":
            var names: [String]
            switch value {
            case .string(let name): names = [name]
            case .array(let list):
                names = []
                for element in list {
                    guard let name = element.stringValue else { throw schema.error(key, "type must be a string or an array of strings") }
                    if !names.contains(name) { names.append(name) }
                }
                guard !names.isEmpty else { throw schema.error(key, "type must not be an empty array") }
            default:
                throw schema.error(key, "type must be a string or an array of strings")
            }
            var set: SchemaTypeSet = []
            for name in names {
                guard let t = SchemaTypeSet.byName[name] else {
                    throw schema.error(key, "unknown type \"\(name)\" (use null, boolean, integer, number, string, array or object)")
                }
                set.insert(t)
            }
            schema.spec.types = set
            schema.spec.typeNames = names
        case "enum":
            guard case .array(let values) = value else { throw schema.error(key, "enum must be an array") }
            schema.spec.enumValues = values
            let strings = values.compactMap(\.stringValue)
            if strings.count == values.count { schema.spec.enumStrings = Set(strings) }
            schema.spec.enumMessage = enumMessage(values)
        case "const":
            schema.spec.constValue = value
        default:
            return nil
        }
        return .validates
    }
}

private func enumMessage(_ values: [JSONValue]) -> String {
    let shown = values.prefix(25).map { value in value.stringValue ?? value.jsonString }
    var text = "must be one of: " + shown.joined(separator: ", ")
    if values.count > shown.count { text += ", … (\(values.count - shown.count) more)" }
    if values.isEmpty { text = "no value is allowed (enum is empty)" }
    return text
}

import GatehouseJSON

/// JSON written one member per line, for fixtures people read and for
/// diffs that point at the member that differs.
enum PrettyJSON {
    /// - Parameter sortingKeys: objects with their keys sorted, so two
    ///   equal values print alike whatever order their members came in.
    static func text(_ value: JSONValue, sortingKeys: Bool = false) -> String {
        var out = ""
        write(value, indent: "", sortingKeys: sortingKeys, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: String, sortingKeys: Bool, into out: inout String) {
        let inner = indent + "  "
        switch value {
        case .object(let object) where !object.isEmpty:
            out += "{\n"
            let keys = sortingKeys ? object.keys.sorted() : Array(object.keys)
            for (index, key) in keys.enumerated() {
                out += inner + JSONValue.string(key).jsonString + ": "
                write(object[key]!, indent: inner, sortingKeys: sortingKeys, into: &out)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += inner
                write(element, indent: inner, sortingKeys: sortingKeys, into: &out)
                out += index == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        default:
            out += value.jsonString
        }
    }
}

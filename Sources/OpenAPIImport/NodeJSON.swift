import GatehouseJSON
import Yams

/// The document tree as JSON, to decode with `JSONDecoder`: decoding a large
/// document through YAML nodes costs seconds where JSON takes a fraction.
/// Scalars keep the type YAML gives them (a quoted `"1"` stays text).
enum NodeJSON {
    static func value(_ node: Yams.Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject(minimumCapacity: mapping.count)
            for (key, value) in mapping { object[key.scalar?.string ?? ""] = self.value(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .int(Int64(number)) }
            if let number = node.float, number.isFinite { return .double(number) }
            return .string(scalar.string)
        case .alias:
            return .null
        }
    }

    /// A JSON document as YAML nodes, for a JSON file another file refers
    /// to (see ``ExternalReferences``): strings stay strings whatever they
    /// look like, numbers stay numbers.
    static func node(from value: JSONValue) -> Yams.Node {
        switch value {
        case .null: Yams.Node("null", Tag(.null), .plain)
        case .bool(let flag): Yams.Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .int(let number): Yams.Node(String(number), Tag(.int), .plain)
        case .double(let number): Yams.Node("\(number)", Tag(.float), .plain)
        case .string(let text): Yams.Node(text, Tag(.str), .doubleQuoted)
        case .array(let items): Yams.Node(items.map(node(from:)), Tag(.seq), .block)
        case .object(let object): Yams.Node(object.map { (Yams.Node($0.key, Tag(.str), .doubleQuoted), node(from: $0.value)) }, Tag(.map), .block)
        }
    }
}

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
}

import GatehouseJSON
import OpenAPIKit

/// What the import needs to know about a schema's shape — types, the
/// properties a few levels down, integer bounds — read straight from the
/// dereferenced schema. Encoding a fully expanded schema to JSON to look at
/// its top level costs more than the rest of an operation's mapping.
enum SchemaShape {
    /// `type`, `properties` to `depth` levels, `items` (its type only),
    /// and an integer's `minimum`, `maximum` and `default`.
    static func json(_ schema: DereferencedJSONSchema, depth: Int = 3) -> JSONValue {
        switch schema {
        case .object(_, let context):
            var out: JSONObject = ["type": "object"]
            guard depth > 0 else { return .object(out) }
            var properties = JSONObject()
            for (name, property) in context.properties { properties[name] = json(property, depth: depth - 1) }
            out["properties"] = .object(properties)
            return .object(out)
        case .array(_, let context):
            var out: JSONObject = ["type": "array"]
            if let items = context.items { out["items"] = json(items, depth: 0) }
            return .object(out)
        case .integer(let core, let context):
            var out: JSONObject = ["type": "integer"]
            if let minimum = context.minimum { out["minimum"] = .int(Int64(minimum.value)) }
            if let maximum = context.maximum { out["maximum"] = .int(Int64(maximum.value)) }
            if let value = core.defaultValue, let json = JSONValue(documentValue: value) { out["default"] = json }
            return .object(out)
        case .string: return ["type": "string"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .null: return ["type": "null"]
        case .all(let schemas, _), .one(let schemas, _), .any(let schemas, _):
            // One shape that says it is an object: the merged properties.
            var properties = JSONObject()
            for part in schemas {
                if case .object(let object)? = json(part, depth: depth)["properties"] {
                    for (key, value) in object where properties[key] == nil { properties[key] = value }
                }
            }
            return properties.isEmpty ? [:] : ["type": "object", "properties": .object(properties)]
        case .not, .fragment: return [:]
        }
    }

    /// Whether a schema has more than `limit` subschemas, counted without
    /// expanding anything: a cheap bound before encoding one.
    static func exceeds(_ schema: DereferencedJSONSchema, nodes limit: Int) -> Bool {
        var remaining = limit
        return !count(schema, remaining: &remaining)
    }

    /// Counts down `remaining`; false once it runs out.
    private static func count(_ schema: DereferencedJSONSchema, remaining: inout Int) -> Bool {
        remaining -= 1
        guard remaining >= 0 else { return false }
        switch schema {
        case .object(_, let context):
            for property in context.properties.values where !count(property, remaining: &remaining) { return false }
            if case .b(let additional)? = context.additionalProperties, !count(additional, remaining: &remaining) { return false }
        case .array(_, let context):
            if let items = context.items, !count(items, remaining: &remaining) { return false }
        case .all(let schemas, _), .one(let schemas, _), .any(let schemas, _):
            for part in schemas where !count(part, remaining: &remaining) { return false }
        case .not(let inner, _):
            return count(inner, remaining: &remaining)
        default:
            break
        }
        return true
    }
}

import Foundation
import GatehouseJSON

/// Cuts reference cycles among the document's component schemas, so that
/// OpenAPIKit's `locallyDereferenced()` (which refuses cycles) can inline
/// every other reference.
///
/// A recursive schema such as a tree node is expanded once: where a schema
/// refers back to one it is itself part of, the reference becomes a plain
/// `type: object` that keeps the reference's description. The cut is made on
/// the raw document, in place, before OpenAPIKit decodes it.
struct ReferenceCycleBreaker {
    /// One reference replaced by `type: object`.
    struct Cut: Sendable, Equatable {
        /// The schema the reference was in.
        var schema: String
        /// The schema it referred to, already being expanded.
        var target: String
    }

    static let prefix = "#/components/schemas/"

    private enum State {
        case visiting
        case done
    }

    private var schemas: [String: JSONValue] = [:]
    private var states: [String: State] = [:]
    private(set) var cuts: [Cut] = []

    /// Cuts every cycle; returns the cuts made.
    static func breakCycles(in root: inout JSONValue) -> [Cut] {
        guard case .object? = root["components"]?["schemas"] else { return [] }
        var breaker = ReferenceCycleBreaker()
        root.modifyObject { document in
            document["components"]?.modifyObject { components in
                components["schemas"]?.modifyObject { schemas in
                    // Moved out, so each schema is held once while it is rewritten.
                    let order = Array(schemas.keys)
                    for (name, schema) in schemas { breaker.schemas[name] = schema }
                    schemas.removeAll()
                    for name in order { breaker.visit(name) }
                    for name in order { schemas[name] = breaker.schemas[name] ?? .object([:]) }
                }
            }
        }
        return breaker.cuts
    }

    private mutating func visit(_ name: String) {
        guard states[name] == nil, var node = schemas.removeValue(forKey: name) else { return }
        states[name] = .visiting
        rewrite(&node, in: name)
        schemas[name] = node
        states[name] = .done
    }

    /// Cuts references back into the schemas being expanded; schemas a
    /// node refers to are visited first, depth first.
    private mutating func rewrite(_ node: inout JSONValue, in schema: String) {
        switch node {
        case .object:
            if let reference = node["$ref"]?.stringValue, let target = Self.targetName(reference) {
                if states[target] == .visiting {
                    cuts.append(Cut(schema: schema, target: target))
                    node = Self.plainObject(replacing: node)
                    return
                }
                visit(target)
            }
            node.modifyObject { object in
                for index in object.values.indices { rewrite(&object.values[index], in: schema) }
            }
        case .array:
            node.modifyArray { items in
                for index in items.indices { rewrite(&items[index], in: schema) }
            }
        case .null, .bool, .int, .double, .string:
            return
        }
    }

    /// What a cut reference becomes: `type: object`, keeping the
    /// reference's own description.
    static func plainObject(replacing reference: JSONValue) -> JSONValue {
        var replacement: JSONObject = ["type": "object"]
        if let description = reference["description"] { replacement["description"] = description }
        return .object(replacement)
    }

    /// `#/components/schemas/Pet` → `Pet`, with JSON Pointer and percent
    /// escapes undone; a pointer into a schema counts as the schema.
    static func targetName(_ reference: String) -> String? {
        guard reference.hasPrefix(prefix) else { return nil }
        let pointer = reference.dropFirst(prefix.count)
        guard let segment = pointer.split(separator: "/", omittingEmptySubsequences: false).first, !segment.isEmpty else { return nil }
        let unescaped = segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        return unescaped.removingPercentEncoding ?? unescaped
    }
}

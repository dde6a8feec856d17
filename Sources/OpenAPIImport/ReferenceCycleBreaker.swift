import Foundation
import Yams

/// Cuts reference cycles among the document's component schemas, so that
/// OpenAPIKit's `locallyDereferenced()` (which refuses cycles) can inline
/// every other reference.
///
/// A recursive schema such as a tree node is expanded once: where a schema
/// refers back to one it is itself part of, the reference becomes a plain
/// `type: object` that keeps the reference's description. The cut is made on
/// the raw document, before OpenAPIKit decodes it.
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

    private var schemas: [String: Yams.Node] = [:]
    private var states: [String: State] = [:]
    private(set) var cuts: [Cut] = []

    /// The document with every cycle cut, and the cuts made.
    static func breakCycles(in root: Yams.Node) -> (root: Yams.Node, cuts: [Cut]) {
        guard case .mapping(let document) = root, case .mapping(let components)? = document["components"],
            case .mapping(let schemaMapping)? = components["schemas"]
        else { return (root, []) }
        var breaker = ReferenceCycleBreaker()
        var order: [String] = []
        for (key, value) in schemaMapping {
            guard case .scalar(let name) = key else { continue }
            breaker.schemas[name.string] = value
            order.append(name.string)
        }
        for name in order { breaker.visit(name) }
        guard !breaker.cuts.isEmpty else { return (root, []) }
        let newSchemas = Yams.Node(
            schemaMapping.map { key, value in (key, key.scalar.flatMap { breaker.schemas[$0.string] } ?? value) },
            schemaMapping.tag, schemaMapping.style)
        let newComponents = replacing("schemas", with: newSchemas, in: components)
        return (replacing("components", with: newComponents, in: document), breaker.cuts)
    }

    private static func replacing(_ key: String, with value: Yams.Node, in mapping: Yams.Node.Mapping) -> Yams.Node {
        Yams.Node(mapping.map { pair in (pair.key, pair.key.scalar?.string == key ? value : pair.value) }, mapping.tag, mapping.style)
    }

    private mutating func visit(_ name: String) {
        guard states[name] == nil, let node = schemas[name] else { return }
        states[name] = .visiting
        schemas[name] = rewrite(node, in: name)
        states[name] = .done
    }

    /// The node with references back into the schemas being expanded cut;
    /// schemas it refers to are visited first, depth first.
    private mutating func rewrite(_ node: Yams.Node, in schema: String) -> Yams.Node {
        switch node {
        case .mapping(let mapping):
            if case .scalar(let reference)? = mapping["$ref"], let target = Self.targetName(reference.string) {
                if states[target] == .visiting {
                    cuts.append(Cut(schema: schema, target: target))
                    var pairs: [(Yams.Node, Yams.Node)] = [(Yams.Node("type"), Yams.Node("object"))]
                    if let description = mapping["description"] { pairs.append((Yams.Node("description"), description)) }
                    return Yams.Node(pairs, mapping.tag, mapping.style)
                }
                visit(target)
            }
            var pairs: [(Yams.Node, Yams.Node)] = []
            for (key, value) in mapping { pairs.append((key, rewrite(value, in: schema))) }
            return Yams.Node(pairs, mapping.tag, mapping.style)
        case .sequence(let sequence):
            var nodes: [Yams.Node] = []
            for element in sequence { nodes.append(rewrite(element, in: schema)) }
            return Yams.Node(nodes, sequence.tag, sequence.style)
        case .scalar, .alias:
            return node
        }
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

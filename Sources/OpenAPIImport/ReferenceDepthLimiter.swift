import GatehouseJSON

/// Bounds how deeply references to component schemas nest.
///
/// `locallyDereferenced()` inlines a referenced schema wherever it is used,
/// so a chain of schemas that each refer to two others grows exponentially
/// with its length. The import never looks more than ``SchemaMapper``'s
/// depth into a value, so past that depth the expansion is wasted, or never
/// finishes. The limiter gives each schema a copy per reference depth whose
/// references point one level deeper; at the limit a reference becomes a
/// plain `type: object`, as a recursive one does.
///
/// Runs on the raw document after ``ReferenceCycleBreaker``, and changes
/// nothing when no chain is longer than the limit.
enum ReferenceDepthLimiter {
    /// Limits the chains in place; returns whether any reference was cut.
    static func limit(_ root: inout JSONValue, to limit: Int) -> Bool {
        guard case .object(let schemaObject)? = root["components"]?["schemas"] else { return false }
        var schemas: [String: JSONValue] = [:]
        var order: [String] = []
        for (name, value) in schemaObject where schemas[name] == nil {
            schemas[name] = value
            order.append(name)
        }
        var heights: [String: Int] = [:]
        guard order.contains(where: { height(of: $0, in: schemas, memo: &heights, visiting: []) > limit }) else {
            return false
        }

        var copier = Copier(schemas: schemas, limit: limit)
        var copies = JSONObject()
        for name in order { copies[name] = copier.copy(name, depth: 1) }
        while let (name, depth) = copier.pending.popLast() {
            copies[Copier.key(name, depth: depth)] = copier.copy(name, depth: depth)
        }
        root.modifyObject { document in
            document["components"]?.modifyObject { components in components["schemas"] = .object(copies) }
        }
        return copier.cut
    }

    /// The longest chain of references starting at a schema, itself included.
    private static func height(of name: String, in schemas: [String: JSONValue], memo: inout [String: Int], visiting: Set<String>)
        -> Int
    {
        if let known = memo[name] { return known }
        // A cycle the breaker did not cut (it only follows whole-schema
        // references) counts as too deep.
        guard !visiting.contains(name), let node = schemas[name] else { return visiting.contains(name) ? Int.max / 2 : 0 }
        var tallest = 0
        for target in DocumentPruning.references(in: node).compactMap(ReferenceCycleBreaker.targetName) {
            tallest = max(tallest, height(of: target, in: schemas, memo: &memo, visiting: visiting.union([name])))
        }
        memo[name] = tallest + 1
        return tallest + 1
    }

    /// Makes the per-depth copies, each on demand.
    private struct Copier {
        let schemas: [String: JSONValue]
        let limit: Int
        var requested: Set<String> = []
        var pending: [(String, Int)] = []
        var cut = false

        /// The component name of a schema's copy at a depth; depth 1 is the
        /// schema itself, which the rest of the document refers to.
        static func key(_ name: String, depth: Int) -> String {
            depth == 1 ? name : "\(name).depth\(depth)"
        }

        mutating func copy(_ name: String, depth: Int) -> JSONValue {
            var node = schemas[name] ?? ["type": "object"]
            rewrite(&node, depth: depth)
            return node
        }

        private mutating func rewrite(_ node: inout JSONValue, depth: Int) {
            switch node {
            case .object:
                if let reference = node["$ref"]?.stringValue, let target = ReferenceCycleBreaker.targetName(reference),
                    schemas[target] != nil, Self.isWholeSchema(reference)
                {
                    guard depth < limit else {
                        cut = true
                        node = ReferenceCycleBreaker.plainObject(replacing: node)
                        return
                    }
                    let deeper = Self.key(target, depth: depth + 1)
                    if requested.insert(deeper).inserted { pending.append((target, depth + 1)) }
                    // The suffix needs no escaping, so it can be appended to
                    // the reference as written.
                    node.modifyObject { object in object["$ref"] = .string(reference + ".depth\(depth + 1)") }
                    return
                }
                node.modifyObject { object in
                    for index in object.values.indices { rewrite(&object.values[index], depth: depth) }
                }
            case .array:
                node.modifyArray { items in
                    for index in items.indices { rewrite(&items[index], depth: depth) }
                }
            case .null, .bool, .int, .double, .string:
                return
            }
        }

        /// `#/components/schemas/Name`, not a pointer into a schema.
        static func isWholeSchema(_ reference: String) -> Bool {
            !reference.dropFirst(ReferenceCycleBreaker.prefix.count).contains("/")
        }
    }
}

import Yams

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
    static func limit(_ root: Yams.Node, to limit: Int) -> (root: Yams.Node, cut: Bool) {
        guard case .mapping(let document) = root, case .mapping(let components)? = document["components"],
            case .mapping(let schemaMapping)? = components["schemas"]
        else { return (root, false) }
        var schemas: [String: Yams.Node] = [:]
        var order: [String] = []
        for (key, value) in schemaMapping {
            guard let name = key.scalar?.string, schemas[name] == nil else { continue }
            schemas[name] = value
            order.append(name)
        }
        var heights: [String: Int] = [:]
        guard order.contains(where: { height(of: $0, in: schemas, memo: &heights, visiting: []) > limit }) else {
            return (root, false)
        }

        var copier = Copier(schemas: schemas, limit: limit)
        var pairs: [(Yams.Node, Yams.Node)] = []
        for name in order { pairs.append((Yams.Node(name), copier.copy(name, depth: 1))) }
        while let (name, depth) = copier.pending.popLast() {
            pairs.append((Yams.Node(Copier.key(name, depth: depth)), copier.copy(name, depth: depth)))
        }
        let newSchemas = Yams.Node(pairs, schemaMapping.tag, schemaMapping.style)
        let newComponents = replacing("schemas", with: newSchemas, in: components)
        return (replacing("components", with: newComponents, in: document), copier.cut)
    }

    /// The longest chain of references starting at a schema, itself included.
    private static func height(of name: String, in schemas: [String: Yams.Node], memo: inout [String: Int], visiting: Set<String>)
        -> Int
    {
        if let known = memo[name] { return known }
        // A cycle the breaker did not cut (it only follows whole-schema
        // references) counts as too deep.
        guard !visiting.contains(name), let node = schemas[name] else { return visiting.contains(name) ? Int.max / 2 : 0 }
        var tallest = 0
        for target in references(in: node) {
            tallest = max(tallest, height(of: target, in: schemas, memo: &memo, visiting: visiting.union([name])))
        }
        memo[name] = tallest + 1
        return tallest + 1
    }

    private static func references(in node: Yams.Node) -> [String] {
        switch node {
        case .mapping(let mapping):
            var found: [String] = []
            if case .scalar(let reference)? = mapping["$ref"], let target = ReferenceCycleBreaker.targetName(reference.string) {
                found.append(target)
            }
            for (_, value) in mapping { found += references(in: value) }
            return found
        case .sequence(let sequence):
            return sequence.flatMap(references(in:))
        case .scalar, .alias:
            return []
        }
    }

    private static func replacing(_ key: String, with value: Yams.Node, in mapping: Yams.Node.Mapping) -> Yams.Node {
        Yams.Node(mapping.map { pair in (pair.key, pair.key.scalar?.string == key ? value : pair.value) }, mapping.tag, mapping.style)
    }

    /// Makes the per-depth copies, each on demand.
    private struct Copier {
        let schemas: [String: Yams.Node]
        let limit: Int
        var requested: Set<String> = []
        var pending: [(String, Int)] = []
        var cut = false

        /// The component name of a schema's copy at a depth; depth 1 is the
        /// schema itself, which the rest of the document refers to.
        static func key(_ name: String, depth: Int) -> String {
            depth == 1 ? name : "\(name).depth\(depth)"
        }

        mutating func copy(_ name: String, depth: Int) -> Yams.Node {
            rewrite(schemas[name] ?? Yams.Node([(Yams.Node("type"), Yams.Node("object"))]), depth: depth)
        }

        private mutating func rewrite(_ node: Yams.Node, depth: Int) -> Yams.Node {
            switch node {
            case .mapping(let mapping):
                if case .scalar(let reference)? = mapping["$ref"], let target = ReferenceCycleBreaker.targetName(reference.string),
                    schemas[target] != nil, Self.isWholeSchema(reference.string)
                {
                    guard depth < limit else {
                        cut = true
                        var pairs: [(Yams.Node, Yams.Node)] = [(Yams.Node("type"), Yams.Node("object"))]
                        if let description = mapping["description"] { pairs.append((Yams.Node("description"), description)) }
                        return Yams.Node(pairs, mapping.tag, mapping.style)
                    }
                    let deeper = Self.key(target, depth: depth + 1)
                    if requested.insert(deeper).inserted { pending.append((target, depth + 1)) }
                    // The suffix needs no escaping, so it can be appended to
                    // the reference as written.
                    return Yams.Node(
                        mapping.map { key, value in
                            key.scalar?.string == "$ref" ? (key, Yams.Node(reference.string + ".depth\(depth + 1)")) : (key, value)
                        }, mapping.tag, mapping.style)
                }
                return Yams.Node(mapping.map { key, value in (key, rewrite(value, depth: depth)) }, mapping.tag, mapping.style)
            case .sequence(let sequence):
                return Yams.Node(sequence.map { rewrite($0, depth: depth) }, sequence.tag, sequence.style)
            case .scalar, .alias:
                return node
            }
        }

        /// `#/components/schemas/Name`, not a pointer into a schema.
        static func isWholeSchema(_ reference: String) -> Bool {
            !reference.dropFirst(ReferenceCycleBreaker.prefix.count).contains("/")
        }
    }
}

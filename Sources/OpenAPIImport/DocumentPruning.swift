import Yams

/// Keeps only what the import will use: the operations the filters admit,
/// and the components they reach through `$ref`s. A large document with a
/// filter that keeps a few operations then costs little more than a small
/// one, and every document sheds components no operation uses.
enum DocumentPruning {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace", "query"]

    struct Result {
        var root: Yams.Node
        /// Operations in the document before filtering.
        var operations: Int
        /// Operations kept.
        var kept: Int
    }

    static func pruned(_ root: Yams.Node, filter: OperationFilter) -> Result {
        guard case .mapping(let document) = root else { return Result(root: root, operations: 0, kept: 0) }
        var operations = 0
        var kept = 0
        var pairs: [(Yams.Node, Yams.Node)] = []
        for (key, value) in document {
            guard key.scalar?.string == "paths", case .mapping(let paths) = value else {
                pairs.append((key, value))
                continue
            }
            var keptPaths: [(Yams.Node, Yams.Node)] = []
            for (pathKey, item) in paths {
                guard let path = pathKey.scalar?.string, case .mapping(let itemMapping) = item else {
                    keptPaths.append((pathKey, item))
                    continue
                }
                var itemPairs: [(Yams.Node, Yams.Node)] = []
                var hasOperation = false
                var hadOperation = false
                for (field, operation) in itemMapping {
                    guard let method = field.scalar?.string, methods.contains(method.lowercased()) else {
                        itemPairs.append((field, withUsedResponses(operation)))
                        continue
                    }
                    operations += 1
                    hadOperation = true
                    if filter.admits(summary(of: operation, path: path, method: method)) {
                        kept += 1
                        hasOperation = true
                        itemPairs.append((field, withUsedResponses(operation)))
                    }
                }
                if hasOperation || !hadOperation { keptPaths.append((pathKey, Yams.Node(itemPairs, itemMapping.tag, itemMapping.style))) }
            }
            pairs.append((key, Yams.Node(keptPaths, paths.tag, paths.style)))
        }
        let filtered = Yams.Node(pairs, document.tag, document.style)
        return Result(root: withReachableComponents(filtered), operations: operations, kept: kept)
    }

    /// An operation with only the answer the import reads (its first 2xx
    /// response): error responses often refer to large schemas that would
    /// otherwise be expanded for every operation.
    static func withUsedResponses(_ operation: Yams.Node) -> Yams.Node {
        guard case .mapping(let mapping) = operation, case .mapping(let responses)? = mapping["responses"],
            let success = responses.first(where: { $0.key.scalar?.string.hasPrefix("2") == true })
        else { return operation }
        let kept = Yams.Node([success], responses.tag, responses.style)
        return Yams.Node(mapping.map { key, value in (key, key.scalar?.string == "responses" ? kept : value) }, mapping.tag, mapping.style)
    }

    static func summary(of operation: Yams.Node, path: String, method: String) -> OperationSummary {
        var operationId: String?
        var tags: [String] = []
        if case .mapping(let mapping) = operation {
            operationId = mapping["operationId"]?.scalar?.string
            if case .sequence(let sequence)? = mapping["tags"] { tags = sequence.compactMap { $0.scalar?.string } }
        }
        return OperationSummary(operationId: operationId, tags: tags, path: path, method: method)
    }

    /// The document with only the components reachable from what is left
    /// outside `components` (paths, webhooks' references are followed too).
    static func withReachableComponents(_ root: Yams.Node) -> Yams.Node {
        guard case .mapping(let document) = root, case .mapping(let components)? = document["components"] else { return root }
        var sections: [String: [String: Yams.Node]] = [:]
        for (sectionKey, section) in components {
            guard let name = sectionKey.scalar?.string, case .mapping(let entries) = section else { continue }
            var byName: [String: Yams.Node] = [:]
            for (entryKey, entry) in entries { if let entryName = entryKey.scalar?.string { byName[entryName] = entry } }
            sections[name] = byName
        }
        var reached: Set<String> = []
        var queue: [Yams.Node] = document.compactMap { $0.key.scalar?.string == "components" ? nil : $0.value }
        while let node = queue.popLast() {
            for reference in references(in: node) {
                guard let (section, name) = target(of: reference), reached.insert(section + "/" + name).inserted,
                    let found = sections[section]?[name]
                else { continue }
                queue.append(found)
            }
        }
        // Security schemes are read for the header's hint, whoever uses them.
        let kept = Yams.Node(
            components.map { sectionKey, section -> (Yams.Node, Yams.Node) in
                guard let sectionName = sectionKey.scalar?.string, sectionName != "securitySchemes", case .mapping(let entries) = section
                else { return (sectionKey, section) }
                let entriesKept = entries.filter { entry in
                    entry.key.scalar.map { reached.contains(sectionName + "/" + $0.string) } ?? true
                }
                return (sectionKey, Yams.Node(entriesKept.map { ($0.key, $0.value) }, entries.tag, entries.style))
            }, components.tag, components.style)
        return Yams.Node(
            document.map { key, value in (key, key.scalar?.string == "components" ? kept : value) }, document.tag, document.style)
    }

    static func references(in node: Yams.Node) -> [String] {
        var found: [String] = []
        var stack = [node]
        while let current = stack.popLast() {
            switch current {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if key.scalar?.string == "$ref", let reference = value.scalar?.string { found.append(reference) } else { stack.append(value) }
                }
            case .sequence(let sequence): stack.append(contentsOf: sequence)
            case .scalar, .alias: break
            }
        }
        return found
    }

    /// `#/components/schemas/Pet/properties/x` → (`schemas`, `Pet`).
    static func target(of reference: String) -> (String, String)? {
        let prefix = "#/components/"
        guard reference.hasPrefix(prefix) else { return nil }
        let parts = reference.dropFirst(prefix.count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        let name = parts[1].replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        return (String(parts[0]), name.removingPercentEncoding ?? name)
    }
}

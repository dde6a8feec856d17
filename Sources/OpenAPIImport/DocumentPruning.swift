import Foundation
import GatehouseJSON

/// Keeps only what the import will use: the operations the filters admit,
/// and the components they reach through `$ref`s. A large document with a
/// filter that keeps a few operations then costs little more than a small
/// one, and every document sheds components no operation uses. The tree is
/// changed in place.
enum DocumentPruning {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace", "query"]

    /// Operations in the document before filtering, and those kept.
    struct Counts {
        var operations = 0
        var kept = 0
    }

    static func prune(_ root: inout JSONValue, filter: OperationFilter) -> Counts {
        var counts = Counts()
        root.modifyObject { document in
            document["paths"]?.modifyObject { paths in
                var emptied: [String] = []
                for index in paths.values.indices {
                    let path = paths.keys[index]
                    var hadOperation = false
                    var hasOperation = false
                    paths.values[index].modifyObject { item in
                        var dropped: [String] = []
                        for fieldIndex in item.values.indices {
                            let field = item.keys[fieldIndex]
                            guard methods.contains(field.lowercased()) else { continue }
                            counts.operations += 1
                            hadOperation = true
                            if filter.admits(summary(of: item.values[fieldIndex], path: path, method: field)) {
                                counts.kept += 1
                                hasOperation = true
                                keepUsedResponses(&item.values[fieldIndex])
                            } else {
                                dropped.append(field)
                            }
                        }
                        for field in dropped { item.removeValue(forKey: field) }
                    }
                    if hadOperation, !hasOperation { emptied.append(path) }
                }
                for path in emptied { paths.removeValue(forKey: path) }
            }
        }
        keepReachableComponents(&root)
        return counts
    }

    /// Leaves an operation only the answer the import reads (its first 2xx
    /// response): error responses often refer to large schemas that would
    /// otherwise be expanded for every operation.
    static func keepUsedResponses(_ operation: inout JSONValue) {
        operation.modifyObject { mapping in
            mapping["responses"]?.modifyObject { responses in
                guard let success = responses.keys.firstIndex(where: { $0.hasPrefix("2") }) else { return }
                let kept = responses.elements[success]
                responses = [kept.key: kept.value]
            }
        }
    }

    static func summary(of operation: JSONValue, path: String, method: String) -> OperationSummary {
        let tags = operation["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return OperationSummary(operationId: operation["operationId"]?.stringValue, tags: tags, path: path, method: method)
    }

    /// Removes the components nothing outside `components` reaches (paths',
    /// webhooks' references are followed too).
    static func keepReachableComponents(_ root: inout JSONValue) {
        guard let reached = reachableComponents(of: root) else { return }
        root.modifyObject { document in
            document["components"]?.modifyObject { components in
                // Security schemes are read for the header's hint, whoever uses them.
                for index in components.values.indices where components.keys[index] != "securitySchemes" {
                    let section = components.keys[index]
                    components.values[index].modifyObject { entries in
                        entries.removeAll { !reached.contains(section + "/" + $0.key) }
                    }
                }
            }
        }
    }

    /// `section/name` of every component reached from outside `components`,
    /// or nil when the document has none.
    private static func reachableComponents(of root: JSONValue) -> Set<String>? {
        guard case .object(let document) = root, case .object(let components)? = document["components"] else { return nil }
        var reached: Set<String> = []
        var queue: [JSONValue] = document.compactMap { $0.key == "components" ? nil : $0.value }
        while let node = queue.popLast() {
            for reference in references(in: node) {
                guard let (section, name) = target(of: reference), reached.insert(section + "/" + name).inserted,
                    let found = components[section]?[name]
                else { continue }
                queue.append(found)
            }
        }
        return reached
    }

    /// Every `$ref` in a tree, in no particular order.
    static func references(in node: JSONValue) -> [String] {
        var found: [String] = []
        var stack = [node]
        while let current = stack.popLast() {
            switch current {
            case .object(let object):
                for (key, value) in object {
                    if key == "$ref", case .string(let reference) = value { found.append(reference) } else { stack.append(value) }
                }
            case .array(let items): stack.append(contentsOf: items)
            case .null, .bool, .int, .double, .string: break
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

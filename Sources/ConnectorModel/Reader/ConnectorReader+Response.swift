import GatehouseJSON
import JSONSchema
import Yams

/// A tool's `response:`: how its answer is shaped.
extension ConnectorReader {
    mutating func readResponse(_ node: Yams.Node) -> ResponseShaping? {
        guard let items = decoding.mapping(node, "response", keys: ResponseKey.self) else { return nil }
        var shaping = ResponseShaping()
        for (key, item) in items.keyed {
            switch key {
            case .select:
                if let text = decoding.string(item.value, "select") {
                    shaping.select = text.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
                }
            case .fields:
                if let nodes = decoding.sequence(item.value, "fields") {
                    shaping.fields = nodes.compactMap { decoding.string($0, "field") }.map {
                        $0.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
                    }.filter { !$0.isEmpty }
                }
            case .where:
                shaping.conditions = readConditions(item.value) ?? []
            case .rename:
                guard let entries = decoding.mapping(item.value, "rename") else { continue }
                for entry in entries {
                    let from = entry.key.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
                    guard !from.isEmpty, let to = decoding.string(entry.value, "rename.\(entry.key)"), !to.isEmpty else {
                        decoding.error(entry.value, "rename maps a field (a dot path) to a new name")
                        continue
                    }
                    shaping.renames.append((from, to))
                }
            case .schemaMismatch:
                switch decoding.string(item.value, "schema_mismatch") {
                case "strict"?: shaping.strictOutputSchema = true
                case "lenient"?: shaping.strictOutputSchema = false
                case let other?: decoding.error(item.value, "schema_mismatch must be lenient or strict, not '\(other)'")
                case nil: break
                }
            case .maxBytes:
                if let size = decoding.byteSize(item.value, "max_bytes") { shaping.maxBytes = size }
            case .outputSchema:
                guard let value = decoding.json(item.value, "output_schema") else { continue }
                guard case .string("object")? = value["type"] else {
                    decoding.error(item.value, "output_schema must have type: object (MCP structured results are objects)")
                    continue
                }
                do { shaping.outputSchema = try JSONSchema(value) } catch {
                    decoding.error(item.value, "invalid output_schema: \(error)")
                }
            }
        }
        return shaping
    }

    /// `where: { status: open, priority: { in: [high, urgent] }, assignee: { exists: true } }`.
    mutating func readConditions(_ node: Yams.Node) -> [ItemCondition]? {
        guard let entries = decoding.mapping(node, "where") else { return nil }
        var conditions: [ItemCondition] = []
        for entry in entries {
            let field = entry.key.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
            guard !field.isEmpty else {
                decoding.error(entry.keyNode, "where needs field names (dot paths)")
                continue
            }
            guard case .mapping = entry.value else {
                if let value = decoding.json(entry.value, "where.\(entry.key)") { conditions.append(ItemCondition(field: field, test: .equals(value))) }
                continue
            }
            guard let tests = decoding.mapping(entry.value, "where.\(entry.key)", keys: ItemConditionKey.self) else { continue }
            guard tests.entries.count == 1, let (key, test) = tests.keyed.first else {
                decoding.error(entry.value, "each where condition is one of equals, in or exists")
                continue
            }
            switch key {
            case .equals:
                if let value = decoding.json(test.value, "where.\(entry.key).equals") { conditions.append(ItemCondition(field: field, test: .equals(value))) }
            case .in:
                if case .array(let values)? = decoding.json(test.value, "where.\(entry.key).in") {
                    conditions.append(ItemCondition(field: field, test: .oneOf(values)))
                } else {
                    decoding.error(test.value, "where.\(entry.key).in must be a list of values")
                }
            case .exists:
                if let wanted = decoding.bool(test.value, "where.\(entry.key).exists") { conditions.append(ItemCondition(field: field, test: .exists(wanted))) }
            }
        }
        return conditions
    }
}

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
}

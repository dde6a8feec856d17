import GatehouseJSON
import JSONSchema
import Yams

/// A tool's `pagination:`, and the `cursor` argument it adds.
extension ConnectorReader {
    mutating func readPagination(_ node: Yams.Node) -> Pagination? {
        guard let keys = decoding.mapping(node, "pagination", keys: PaginationKey.self) else { return nil }
        let before = decoding.diagnostics.count
        guard let styleEntry = keys[.style], let text = decoding.string(styleEntry.value, "pagination.style") else {
            decoding.error(node, "pagination needs a style: cursor, page, offset or link")
            return nil
        }
        guard let style = Pagination.Style(rawValue: text) else {
            decoding.error(styleEntry.value, "pagination.style must be cursor, page, offset or link")
            return nil
        }
        var pagination = Pagination(style: style)
        func path(_ text: String) -> [String] { text.split(separator: ".", omittingEmptySubsequences: true).map(String.init) }
        for (key, entry) in keys.keyed {
            switch key {
            case .style: break
            case .items: pagination.items = decoding.string(entry.value, "pagination.items").map(path) ?? []
            case .next: pagination.next = decoding.string(entry.value, "pagination.next").map(path) ?? []
            case .param: pagination.param = decoding.string(entry.value, "pagination.param")
            case .sizeParam: pagination.sizeParameter = decoding.string(entry.value, "pagination.size_param")
            case .size: pagination.size = decoding.integer(entry.value, "pagination.size", range: 1...10_000) ?? pagination.size
            case .first: pagination.first = decoding.integer(entry.value, "pagination.first", range: 0...1_000_000) ?? pagination.first
            case .maxPages: pagination.maxPages = decoding.integer(entry.value, "pagination.max_pages", range: 1...100) ?? 1
            case .maxBytes: pagination.maxBytes = decoding.byteSize(entry.value, "pagination.max_bytes")
            }
        }
        switch style {
        case .cursor:
            if pagination.next.isEmpty { decoding.error(node, "cursor pagination needs next: where the next cursor is in the answer") }
            if pagination.param == nil { decoding.error(node, "cursor pagination needs param: the query parameter that sends the cursor") }
        case .page, .offset:
            if pagination.param == nil { decoding.error(node, "\(style.rawValue) pagination needs param: the query parameter that sends it") }
        case .link: break
        }
        return decoding.diagnostics.count == before ? pagination : nil
    }

    /// The schema with the optional `cursor` argument a paginated tool takes.
    mutating func addingCursor(to schema: JSONSchema, node: Yams.Node) -> JSONSchema? {
        guard case .object(var object) = schema.source else { return schema }
        var properties = object["properties"]?.objectValue ?? [:]
        guard properties[Pagination.cursorArgument] == nil else {
            decoding.error(node, "a paginated tool takes a '\(Pagination.cursorArgument)' argument of its own; rename the parameter")
            return nil
        }
        properties[Pagination.cursorArgument] = [
            "type": "string",
            "description": "Continue a listing: the next_cursor of an earlier result of this tool with the same arguments. Omit for the first page.",
        ]
        object["properties"] = .object(properties)
        do { return try JSONSchema(.object(object)) } catch {
            decoding.error(node, "invalid schema with the cursor argument: \(error)")
            return nil
        }
    }
}

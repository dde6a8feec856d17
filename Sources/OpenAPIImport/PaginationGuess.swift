import Foundation
import GatehouseJSON
import OpenAPIKit

/// Recognises the paging of a GET operation when the document leaves no
/// doubt, and writes it as the connector's `pagination:`.
///
/// Only unmistakable shapes count: a declared `Link` response header; a
/// cursor parameter together with a "next cursor" field in the answer; a
/// page number or an offset together with a page size. The answer must
/// show where the list is. Anything less clear is left to the author,
/// because a wrong guess would page through the wrong thing.
struct PaginationGuess {
    /// The `pagination:` entry to write.
    var entry: JSONObject
    /// The query parameters the gateway now sets itself.
    var consumed: [String]

    static let cursorParameters: Set<String> = [
        "cursor", "after", "page_token", "pagetoken", "next_token", "nexttoken", "continue", "continuation", "continuation_token",
        "starting_token",
    ]
    /// Answer fields that name the next page's cursor (lowercased, without `_`).
    static let nextFields: Set<String> = [
        "nextcursor", "nextpagetoken", "nexttoken", "continue", "continuationtoken", "nextpagecursor", "endcursor",
    ]
    static let pageParameters: Set<String> = ["page", "page_number", "pagenumber"]
    static let offsetParameters: Set<String> = ["offset", "skip", "start"]
    static let sizeParameters: Set<String> = ["per_page", "perpage", "page_size", "pagesize", "limit", "size", "count", "max_results", "maxresults"]
    /// Names a list has in an answer, when it has several arrays.
    static let listNames: [String] = ["data", "items", "results", "entries", "records", "values", "list", "objects"]

    /// The size asked for when the document names no default.
    static let preferredSize = 50

    static func guess(_ endpoint: ResolvedEndpoint) -> PaginationGuess? {
        guard endpoint.method.rawValue.uppercased() == "GET",
            let response = endpoint.responses.first(where: { $0.key.isSuccess })?.value,
            let (_, content) = OperationMapper.jsonContent(of: response.content), let schema = content.schema
        else { return nil }
        let answer = SchemaShape.json(schema)
        guard let items = listPath(in: answer) else { return nil }
        let query = endpoint.parameters.filter { $0.location == .query }.compactMap { parameter -> (String, JSONObject)? in
            guard case .a(let context) = parameter.schemaOrContent, case .object(let schema) = SchemaShape.json(context.schema, depth: 0)
            else { return nil }
            return (parameter.name, schema)
        }
        func named(_ names: Set<String>, type: String) -> (String, JSONObject)? {
            query.first { names.contains($0.0.lowercased()) && $0.1["type"]?.stringValue == type }
        }
        var entry: JSONObject = [:]
        var consumed: [String] = []
        let size = named(sizeParameters, type: "integer")
        let hasLink = response.headers?.keys.contains { $0.lowercased() == "link" } ?? false
        if hasLink {
            entry["style"] = "link"
        } else if let cursor = named(cursorParameters.union(["offset"]), type: "string"),
            let next = nextCursorPath(in: answer) ?? echoedCursorPath(in: answer, parameter: cursor.0)
        {
            entry = ["style": "cursor", "next": .string(next.joined(separator: ".")), "param": .string(cursor.0)]
            consumed.append(cursor.0)
        } else if let size, let page = named(pageParameters, type: "integer") {
            entry = ["style": "page", "param": .string(page.0)]
            if Self.number(page.1["minimum"]) == 0 { entry["first"] = 0 }
            consumed.append(page.0)
        } else if let size, let offset = named(offsetParameters, type: "integer") {
            entry = ["style": "offset", "param": .string(offset.0)]
            consumed.append(offset.0)
        } else {
            return nil
        }
        if !items.isEmpty { entry["items"] = .string(items.joined(separator: ".")) }
        if let size {
            entry["size_param"] = .string(size.0)
            // The API's own page size when the document gives it, else a
            // moderate one within the allowed maximum.
            var pageSize = Self.number(size.1["default"]).flatMap { $0 > 0 ? $0 : nil } ?? preferredSize
            if let maximum = Self.number(size.1["maximum"]), maximum > 0 { pageSize = min(pageSize, maximum) }
            entry["size"] = .int(Int64(pageSize))
            consumed.append(size.0)
        }
        // Keys in the order the format's documentation lists them.
        var ordered: JSONObject = [:]
        for key in ["style", "items", "next", "param", "size_param", "size", "first"] { if let value = entry[key] { ordered[key] = value } }
        return PaginationGuess(entry: ordered, consumed: consumed)
    }

    static func number(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: Int(number)
        case .double(let number)? where number.rounded() == number && abs(number) < 1e15: Int(number)
        default: nil
        }
    }

    /// Where the list is: the answer itself, its only array property, or
    /// the one with a usual list name. Nil when the answer shows no list.
    static func listPath(in answer: JSONValue) -> [String]? {
        if answer["type"]?.stringValue == "array" { return [] }
        guard case .object(let properties)? = answer["properties"] else { return nil }
        let arrays = properties.filter { $0.value["type"]?.stringValue == "array" }.map(\.key)
        if arrays.count == 1 { return arrays }
        return listNames.first { arrays.contains($0) }.map { [$0] }
    }

    /// Objects that describe the next page (`next_page`, `paging.next`).
    static let nextObjects: Set<String> = ["nextpage", "next", "paging"]

    /// A string field named like the cursor parameter inside an object
    /// describing the next page: Asana's `next_page.offset` for `offset`,
    /// HubSpot's `paging.next.after` for `after`.
    static func echoedCursorPath(in schema: JSONValue, parameter: String, depth: Int = 0) -> [String]? {
        guard depth < 2, case .object(let properties)? = schema["properties"] else { return nil }
        for (name, property) in properties where nextObjects.contains(name.lowercased().replacingOccurrences(of: "_", with: "")) {
            if case .object(let inner)? = property["properties"], inner[parameter]?["type"]?.stringValue == "string" { return [name, parameter] }
            if let nested = echoedCursorPath(in: property, parameter: parameter, depth: depth + 1) { return [name] + nested }
        }
        return nil
    }

    /// The first string field, at most three objects deep, whose name says
    /// it is the next page's cursor.
    static func nextCursorPath(in schema: JSONValue, depth: Int = 0) -> [String]? {
        guard depth < 3, case .object(let properties)? = schema["properties"] else { return nil }
        for (name, property) in properties {
            let normalized = name.lowercased().replacingOccurrences(of: "_", with: "")
            if property["type"]?.stringValue == "string", nextFields.contains(normalized) { return [name] }
        }
        for (name, property) in properties where property["type"]?.stringValue == "object" {
            if let nested = nextCursorPath(in: property, depth: depth + 1) { return [name] + nested }
        }
        return nil
    }
}

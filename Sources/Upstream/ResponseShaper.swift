import ConnectorModel
import Foundation
import GatehouseJSON

/// Turns an upstream answer into MCP content the way the tool's `response:`
/// section asks: keep a sub-tree, keep some fields, cap the size.
///
/// The connector's own credentials are removed from the answer first,
/// whatever its status: nothing the upstream echoes back may carry them to
/// the model.
public struct ResponseShaper: Sendable {
    public init() {}

    public func shape(_ response: UpstreamResponse, tool: ToolDefinition, request: UpstreamRequest) -> ToolResult {
        var response = response
        if let redacted = request.redactor.redact(response.body) { response.body = redacted }
        if let redacted = request.credentialRedactor.redact(response.body) { response.body = redacted }
        guard (200..<300).contains(response.status) else {
            return failure(response, request: request)
        }
        let mediaType = Self.mediaType(response.contentType)
        if response.body.isEmpty {
            if let schema = tool.response.outputSchema {
                return conform(.object([:]), text: "", schema: schema, tool: tool, request: request)
            }
            return .text("Done: HTTP \(response.status) with no content.")
        }
        if Self.isJSON(mediaType) || mediaType == nil {
            // Nothing to shape: the answer only has to be JSON, and compact.
            if Self.passesThrough(tool.response), let compact = JSONCompaction.compactedText(response.body) {
                let (text, overflow) = Self.cut(compact, maxBytes: tool.response.maxBytes)
                var result = ToolResult.text(text)
                result.overflow = overflow
                result.mimeType = "application/json"
                return result
            }
            if let selected = Self.selected(from: response.body, by: tool.response) {
                var result = shapeJSON(selected: selected, tool: tool, request: request)
                result.mimeType = "application/json"
                return result
            }
        }
        if let mediaType, !Self.isTextual(mediaType) {
            let data = Data(response.body).base64EncodedString()
            var result: ToolResult
            if mediaType.hasPrefix("image/") {
                result = ToolResult(content: [["type": "image", "data": .string(data), "mimeType": .string(mediaType)]])
            } else if mediaType.hasPrefix("audio/") {
                result = ToolResult(content: [["type": "audio", "data": .string(data), "mimeType": .string(mediaType)]])
            } else {
                result = ToolResult(content: [
                    [
                        "type": "resource",
                        "resource": ["uri": .string(request.displayURL), "mimeType": .string(mediaType), "blob": .string(data)],
                    ]
                ])
            }
            result.mimeType = mediaType
            return result
        }
        let text = String(decoding: response.body, as: UTF8.self)
        let (shown, overflow) = Self.cut(text, maxBytes: tool.response.maxBytes)
        var result = ToolResult.text(shown)
        result.overflow = overflow
        result.mimeType = mediaType ?? "text/plain"
        return result
    }

    /// The answer's value at the tool's `select` path, nil when the answer
    /// is not JSON. With `fields`, only the members they (and `where`)
    /// read are kept of each object there, and only that much is parsed
    /// (``JSONProjection``); `refine` gives the same result on either.
    static func selected(from body: [UInt8], by shaping: ResponseShaping) -> JSONValue? {
        if shaping.select.isEmpty && shaping.fields.isEmpty { return try? JSONParser.parse(body) }
        return JSONProjection.value(in: body, at: shaping.select, keeping: readMembers(of: shaping))
    }

    /// The top-level members of an item that `fields` and `where` read, in
    /// the order `fields` names them; nil (keep them all) without
    /// `fields`, or when a condition tests the item itself.
    static func readMembers(of shaping: ResponseShaping) -> [String]? {
        guard !shaping.fields.isEmpty else { return nil }
        var members: [String] = []
        for path in shaping.fields + shaping.conditions.map(\.field) {
            guard let first = path.first else { return nil }
            if !members.contains(first) { members.append(first) }
        }
        return members
    }

    /// Whether the projection's cut is already what `fields` keeps: plain
    /// names only, and no `where` reading other members.
    static func projectionKeepsFields(_ shaping: ResponseShaping) -> Bool {
        !shaping.fields.isEmpty && shaping.conditions.isEmpty && shaping.fields.allSatisfy { $0.count == 1 }
    }

    func shapeJSON(selected: JSONValue, tool: ToolDefinition, request: UpstreamRequest) -> ToolResult {
        let shaped = Self.refine(selected, by: tool.response, fieldsKept: Self.projectionKeepsFields(tool.response))
        let (text, overflow) = Self.cut(shaped.jsonString, maxBytes: tool.response.maxBytes)
        var result = if let schema = tool.response.outputSchema {
            conform(shaped, text: text, schema: schema, tool: tool, request: request)
        } else {
            ToolResult.text(text)
        }
        if !result.isError { result.overflow = overflow }
        return result
    }

    /// The items of a paginated call, shaped like any answer (`where`,
    /// `fields`, `rename`, the size cap), with the next page's cursor in
    /// `structuredContent` and in one line of the text.
    public func shapePage(_ items: [JSONValue], tool: ToolDefinition, request: UpstreamRequest, nextCursor: String?) -> ToolResult {
        let shaped = Self.refine(.array(items), by: tool.response)
        var (text, overflow) = Self.cut(shaped.jsonString, maxBytes: tool.response.maxBytes)
        var structured: JSONObject = ["items": shaped]
        if let nextCursor {
            structured["next_cursor"] = .string(nextCursor)
            text += "\n[more results: call \(tool.name) again with the same arguments and cursor \"\(nextCursor)\"]"
        }
        var result: ToolResult
        if let schema = tool.response.outputSchema {
            result = conform(.object(structured), text: text, schema: schema, tool: tool, request: request)
        } else {
            result = ToolResult(content: [["type": "text", "text": .string(text)]], structuredContent: .object(structured))
        }
        if !result.isError { result.overflow = overflow }
        result.mimeType = "application/json"
        return result
    }

    func conform(_ value: JSONValue, text: String, schema: JSONSchema, tool: ToolDefinition, request: UpstreamRequest) -> ToolResult {
        let violations = schema.validate(value)
        guard violations.isEmpty else {
            let details = violations.prefix(5).map(\.description).joined(separator: "; ")
            if !tool.response.strictOutputSchema {
                // Lenient: the answer still reaches the model as text; only
                // the structured copy, which would be wrong, is left out.
                var result = ToolResult(content: [["type": "text", "text": .string(text)]])
                result.schemaMismatch = details
                return result
            }
            var message = "The upstream answer for \(tool.name) does not match the tool's output schema (\(details))."
            if request.errorBodyBytes > 0 {
                message += " Answer: " + CredentialScrubber.scrub(Self.truncate(text, maxBytes: request.errorBodyBytes))
            }
            return .error(message)
        }
        return ToolResult(content: [["type": "text", "text": .string(text)]], structuredContent: value)
    }

    func failure(_ response: UpstreamResponse, request: UpstreamRequest) -> ToolResult {
        var message = "The upstream API answered HTTP \(response.status)"
        if !response.reason.isEmpty { message += " \(response.reason)" }
        message += " to \(request.method.rawValue) \(request.displayURL)."
        switch response.status {
        case 400, 422: message += " The arguments were probably not accepted; check them and try again."
        case 401, 403: message += " The gateway's credentials for this API were refused or lack permission."
        case 404: message += " The requested item does not exist."
        case 429: message += " The API is rate limiting; wait before retrying."
        case 500...: message += " The API had an internal problem; retrying later may help."
        default: break
        }
        let excerpt = request.errorBodyBytes
        if !response.body.isEmpty, excerpt > 0 {
            let body = String(decoding: response.body.prefix(excerpt * 4), as: UTF8.self)
            message += " Response body: " + CredentialScrubber.scrub(Self.truncate(body, maxBytes: excerpt))
        }
        return .error(message)
    }

    /// Whether an answer goes to the model as the upstream wrote it (made
    /// compact): no `select`, `where`, `fields` or `rename`, and no output
    /// schema to check it against.
    static func passesThrough(_ shaping: ResponseShaping) -> Bool {
        shaping.select.isEmpty && shaping.conditions.isEmpty && shaping.fields.isEmpty && shaping.renames.isEmpty
            && shaping.outputSchema == nil
    }

    /// The value at a dot path; numeric segments index arrays. A missing path
    /// gives `null`: an empty search result often leaves the key out.
    static func select(_ path: [String], in value: JSONValue) -> JSONValue {
        var current = value
        for segment in path {
            switch current {
            case .object(let object): current = object[segment] ?? .null
            case .array(let array):
                guard let index = Int(segment), array.indices.contains(index) else { return .null }
                current = array[index]
            default: return .null
            }
        }
        return current
    }

    /// The steps after `select`, in their order: `where`, `fields`, `rename`;
    /// `fieldsKept` when the value was read keeping only the fields.
    static func refine(_ value: JSONValue, by shaping: ResponseShaping, fieldsKept: Bool = false) -> JSONValue {
        var shaped = value
        if !shaping.conditions.isEmpty { shaped = filter(shaped, by: shaping.conditions) }
        if !shaping.fields.isEmpty && !fieldsKept { shaped = keep(shaping.fields, of: shaped) }
        if !shaping.renames.isEmpty { shaped = rename(shaping.renames, in: shaped) }
        return shaped
    }

    /// The items of an array that meet every condition; a single object
    /// is kept or dropped (null) the same way.
    static func filter(_ value: JSONValue, by conditions: [ItemCondition]) -> JSONValue {
        switch value {
        case .array(let items): .array(items.filter { item in conditions.allSatisfy { $0.admits(item) } })
        case .object: conditions.allSatisfy { $0.admits(value) } ? value : .null
        default: value
        }
    }

    /// Moves kept values to new top-level names, in each object of an
    /// array or in the object itself.
    static func rename(_ renames: [(from: [String], to: String)], in value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { rename(renames, in: $0) })
        case .object(var object):
            for (from, to) in renames {
                guard let moved = take(from, from: &object) else { continue }
                object[to] = moved
            }
            return .object(object)
        default: return value
        }
    }

    /// Removes and returns the value at a dot path, dropping objects left empty.
    static func take(_ path: [String], from object: inout JSONObject) -> JSONValue? {
        guard let first = path.first else { return nil }
        if path.count == 1 { return object.removeValue(forKey: first) }
        guard case .object(var nested)? = object[first], let value = take(Array(path.dropFirst()), from: &nested) else { return nil }
        object[first] = nested.isEmpty ? nil : .object(nested)
        return value
    }

    /// Keeps the listed (possibly dotted) fields of an object, or of each
    /// object of an array.
    static func keep(_ fields: [[String]], of value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .array(elements.map { keep(fields, of: $0) })
        case .object(let object):
            var result = JSONObject()
            for field in fields {
                guard let first = field.first, let member = object[first] else { continue }
                if field.count == 1 {
                    result[first] = member
                } else {
                    let nested = keep([Array(field.dropFirst())], of: member)
                    if case .object(var existing)? = result[first], case .object(let addition) = nested {
                        for (key, value) in addition { existing[key] = value }
                        result[first] = .object(existing)
                    } else {
                        result[first] = nested
                    }
                }
            }
            return .object(result)
        default: return value
        }
    }

    /// Cuts text to a byte budget on a character boundary and says so, so a
    /// model never mistakes a partial answer for a complete one.
    static func truncate(_ text: String, maxBytes: Int) -> String {
        cut(text, maxBytes: maxBytes).text
    }

    /// ``truncate(_:maxBytes:)``, keeping the whole text when it cuts, so
    /// the rest can be offered as further parts.
    static func cut(_ text: String, maxBytes: Int) -> (text: String, overflow: ToolResult.Overflow?) {
        let total = text.utf8.count
        guard total > maxBytes else { return (text, nil) }
        let kept = Self.boundary(in: text.utf8, atMost: maxBytes)
        let shown = String(decoding: text.utf8.prefix(kept), as: UTF8.self)
        return (shown + truncationNote(shown: kept, total: total), ToolResult.Overflow(full: text, shown: kept))
    }

    /// The line that ends a cut answer when no further part is offered.
    public static func truncationNote(shown: Int, total: Int) -> String {
        "\n[truncated: showing the first \(shown) of \(total) bytes; narrow the request (filters, a smaller limit) to see the rest]"
    }

    /// The largest cut at or before `limit` that splits no character:
    /// steps back over UTF-8 continuation bytes.
    public static func boundary(in utf8: String.UTF8View, atMost limit: Int) -> Int {
        var cut = min(limit, utf8.count)
        guard cut < utf8.count else { return cut }
        var index = utf8.index(utf8.startIndex, offsetBy: cut)
        while cut > 0, utf8[index] & 0xC0 == 0x80 {
            cut -= 1
            index = utf8.index(before: index)
        }
        return cut
    }

    /// The lowercased media type of a `Content-Type` value, read byte by
    /// byte: it runs on every call.
    static func mediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let bytes = contentType.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        var type: [UInt8] = []
        type.reserveCapacity(32)
        for byte in bytes[..<end] where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") {
            type.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return type.isEmpty ? nil : String(decoding: type, as: UTF8.self)
    }

    static func isJSON(_ mediaType: String?) -> Bool {
        guard let mediaType else { return false }
        return mediaType == "application/json" || mediaType.hasSuffix("+json") || mediaType == "text/json"
    }

    static func isTextual(_ mediaType: String) -> Bool {
        mediaType.hasPrefix("text/") || isJSON(mediaType) || mediaType.hasSuffix("+xml") || mediaType == "application/xml"
            || mediaType == "application/javascript" || mediaType == "application/x-www-form-urlencoded"
            || mediaType == "application/yaml" || mediaType == "application/x-yaml" || mediaType == "application/graphql"
    }
}

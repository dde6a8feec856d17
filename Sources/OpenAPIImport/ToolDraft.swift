import ConnectorModel
import GatehouseJSON

/// One tool as it will be written to the connector file.
struct ToolDraft: Sendable {
    var name: String
    var title: String?
    var description: String
    var method: String
    /// The operation's own server, when it is not the document's.
    var baseURL: String?
    var path: String
    /// Parameter name → its entry (`type`, `in`, `required`, …), in the
    /// order they are written.
    var parameters: JSONObject
    var headers: [(name: String, value: String)] = []
    /// Fixed query items the documented path carried.
    var query: [(String, String)] = []
    /// The JSON body template, with `"{{ name }}"` placeholders.
    var body: JSONValue?
    /// How the body is encoded, when it is not JSON.
    var bodyFormat: BodyFormat = .json
    /// The success answer's schema, when it describes an object.
    var outputSchema: JSONValue?
    /// How the operation pages its lists, when the document makes it clear.
    var pagination: JSONObject?
    /// Arguments of several kinds (a string or a list), each kind as a
    /// connector schema; see ``UnionArguments``.
    var unions: [String: [JSONObject]] = [:]
    /// The arguments as a JSON Schema, when `parameters:` cannot say them.
    var inputSchema: JSONValue?
    /// Parts of the operation that were left out, and why.
    var notes: [String] = []
    /// The operation it came from, as `operationId (METHOD /path)`.
    var origin: String

    /// The tool as the connector format's keys, in the order people read.
    var entry: JSONObject {
        var out: JSONObject = ["name": .string(name)]
        if let title { out["title"] = .string(title) }
        out["description"] = .string(description)
        if method != "GET" { out["method"] = .string(method) }
        if let baseURL { out["base_url"] = .string(baseURL) }
        out["path"] = .string(path)
        if let inputSchema { out["input_schema"] = inputSchema }
        if !parameters.isEmpty { out["parameters"] = .object(parameters) }
        if !headers.isEmpty {
            var object = JSONObject()
            for header in headers { object[header.name] = .string(header.value) }
            out["headers"] = .object(object)
        }
        if !query.isEmpty {
            var object = JSONObject()
            for (name, value) in query { object[name] = .string(value) }
            out["query"] = .object(object)
        }
        if let body { out["body"] = body }
        if bodyFormat != .json { out["body_format"] = .string(bodyFormat.rawValue) }
        if let pagination { out["pagination"] = .object(pagination) }
        if let outputSchema { out["response"] = ["output_schema": outputSchema] }
        return out
    }
}

import ConnectorModel
import GatehouseJSON

/// Body fields that take values of several kinds — OpenAI's `input`, a
/// string or a list of messages — which `parameters:` cannot describe. The
/// tool is written with an `input_schema` instead, where such a field is an
/// `anyOf` of its kinds; `parameters:` then only says where each argument
/// goes.
///
/// Every schema is converted by the decoder `gatehouse serve` uses, so the
/// JSON Schema clients see is the one the file would have produced: the
/// tool is first decoded with a string standing in for each such field,
/// then the kinds are decoded as the arguments of a probe tool.
enum UnionArguments {
    struct Failure: Error {
        var reason: String
    }

    static func written(_ draft: ToolDraft) throws(Failure) -> ToolDraft {
        guard !draft.unions.isEmpty else { return draft }
        guard case .object(var schema) = try inputSchema(of: draft), case .object(var properties)? = schema["properties"] else {
            throw Failure(reason: "its arguments could not be written as a JSON Schema")
        }
        for (name, alternatives) in draft.unions {
            guard case .object(let standIn)? = properties[name] else { continue }
            var kinds = JSONObject()
            for (index, alternative) in alternatives.enumerated() { kinds["kind\(index)"] = .object(alternative) }
            let probe = ToolDraft(
                name: draft.name, description: "", method: "POST", path: "/probe", parameters: kinds, origin: draft.origin)
            guard case .object(let probed)? = try inputSchema(of: probe)["properties"] else {
                throw Failure(reason: "the kinds of '\(name)' could not be written as a JSON Schema")
            }
            var union: JSONObject = ["anyOf": .array(alternatives.indices.compactMap { probed["kind\($0)"] })]
            if let description = standIn["description"] { union["description"] = description }
            properties[name] = .object(union)
        }
        schema["properties"] = .object(properties)
        var written = draft
        written.inputSchema = .object(schema)
        var placements = JSONObject()
        for (name, entry) in draft.parameters {
            var placement = JSONObject()
            for key in Parameter.placementKeys { if let value = entry[key] { placement[key] = value } }
            if !placement.isEmpty { placements[name] = .object(placement) }
        }
        written.parameters = placements
        let kinds = draft.unions.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
        written.notes.append("\(kinds) may take values of several kinds: the tool's arguments are written as a JSON Schema (input_schema)")
        return written
    }

    /// The `inputSchema` the decoder makes of the draft's `parameters:`.
    private static func inputSchema(of draft: ToolDraft) throws(Failure) -> JSONValue {
        var plain = draft
        plain.unions = [:]
        plain.inputSchema = nil
        let text = "connector: probe\nbase_url: https://api.example.com\ntools:\n" + ConnectorWriter().tool(plain).joined(separator: "\n") + "\n"
        let result = ConnectorDecoder().decode(yaml: text, file: "probe")
        guard let tool = result.connector?.tools.first, result.diagnostics.isEmpty else {
            throw Failure(reason: result.diagnostics.first?.message ?? "it does not decode")
        }
        return tool.inputSchema.source
    }
}

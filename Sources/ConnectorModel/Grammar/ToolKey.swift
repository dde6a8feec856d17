/// The keys of one entry of `tools:`.
enum ToolKey: String, SectionKey {
    /// The MCP tool name, unique across all files.
    case name
    /// A human-readable name shown by clients.
    case title
    /// What the tool does and when to use it; the model reads it.
    case description
    /// The HTTP method, `GET` by default.
    case method
    /// The path after `base_url`, with `{param}` placeholders.
    case path
    /// This tool's own base URL instead of the connector's (an API whose
    /// operations live on several hosts); same rules as the connector's.
    case baseURL = "base_url"
    /// The tool's arguments (see ``ParameterKey``), or with ``inputSchema``
    /// only where each argument goes.
    case parameters
    /// Extra headers; values may use `{{ placeholders }}`.
    case headers
    /// Extra fixed or templated query items.
    case query
    /// A JSON body template.
    case body
    /// How the body is encoded: `json` (default), `form`, `form_brackets`
    /// or `multipart` (see ``BodyFormat``).
    case bodyFormat = "body_format"
    /// Hints for clients (see ``AnnotationKey``).
    case annotations
    /// How the answer is shaped (see ``ResponseKey``).
    case response
    /// Overrides the connector's timeout.
    case timeout
    /// Overrides the connector's `max_response_bytes`.
    case maxResponseBytes = "max_response_bytes"
    /// This tool's own limits, on top of the connector's.
    case limits
    /// Replaces the connector's retry policy.
    case retries
    /// OAuth scopes a caller needs to see and call the tool.
    case scopes
    /// Labels that endpoints select tools by (`endpoints.yaml`).
    case tags
    /// Ask the user before the call is made: a message template over the
    /// arguments, `true` for a default question, `false` to never ask.
    case confirm
    /// How the API pages its lists (see ``PaginationKey``).
    case pagination
    /// The arguments as a JSON Schema instead of generated from ``parameters``.
    case inputSchema = "input_schema"
}

/// The keys of a tool's `annotations:`; each overrides the default the
/// method implies.
enum AnnotationKey: String, SectionKey {
    /// A human-readable name shown by clients.
    case title
    /// The tool changes nothing.
    case readOnly = "read_only"
    /// The tool may destroy or overwrite data.
    case destructive
    /// Repeating the call has no further effect; also allows retries.
    case idempotent
    /// The tool reaches beyond a closed set of things.
    case openWorld = "open_world"
}

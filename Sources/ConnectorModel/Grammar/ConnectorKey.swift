/// The top-level keys of a connector file.
enum ConnectorKey: String, SectionKey {
    /// The connector's name, unique across files.
    case connector
    /// What the API is, for people reading the file and `/status`.
    case description
    /// The URL every tool path is appended to; may use secrets.
    case baseURL = "base_url"
    /// Headers sent on every request; values may use secrets.
    case headers
    /// How the gateway authenticates to the API (see ``AuthKind``).
    case auth
    /// The time budget of a whole call.
    case timeout
    /// The largest upstream answer read.
    case maxResponseBytes = "max_response_bytes"
    /// How much of a failed answer's body a tool error quotes.
    case errorBodyBytes = "error_body_bytes"
    /// Concurrency and rate limits shared by all the connector's tools.
    case limits
    /// How idempotent calls are retried.
    case retries
    /// OAuth scopes the tools need unless a tool names its own.
    case scopes
    /// Which tools ask the user before they run when they say nothing
    /// themselves (see ``ConfirmationPolicy``).
    case confirm
    /// The list of tools (see ``ToolKey``).
    case tools
    /// Ready-made prompts (see ``PromptKey``).
    case prompts
    /// Read-only data as MCP resources (see ``ResourceKey``).
    case resources
}

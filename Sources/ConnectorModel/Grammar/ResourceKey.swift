/// The keys of one entry of `resources:`. Besides its address and how it
/// is shown, a resource has a tool's request keys: it is a GET route called
/// like a tool.
enum ResourceKey: String, SectionKey {
    /// A fixed URI (`tickets://open`); this or `uri_template`.
    case uri
    /// An RFC 6570 template (`tickets://tickets/{id}`), levels 1 and 2.
    case uriTemplate = "uri_template"
    /// The resource's name, unique across all files.
    case name
    /// A human-readable name shown by clients.
    case title
    /// What the data is.
    case description
    /// The MIME type to announce and return; by default the upstream's.
    case mimeType = "mime_type"
    /// The path after `base_url`, with `{param}` placeholders.
    case path
    /// Where each template variable goes and its type; by default each is
    /// a required string in the path or the query.
    case parameters
    /// Extra fixed or templated query items.
    case query
    /// Extra headers.
    case headers
    /// How the answer is shaped, as for a tool.
    case response
    /// Overrides the connector's timeout.
    case timeout
    /// Overrides the connector's `max_response_bytes`.
    case maxResponseBytes = "max_response_bytes"
    /// Limits on top of the connector's.
    case limits
    /// Replaces the connector's retry policy.
    case retries
    /// OAuth scopes a caller needs to see and read it.
    case scopes
}

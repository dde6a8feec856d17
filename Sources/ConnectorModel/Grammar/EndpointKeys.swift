/// The top-level keys of `endpoints.yaml`.
enum EndpointsFileKey: String, SectionKey {
    /// The endpoints, by name: each is served at `/mcp/NAME`.
    case endpoints
}

/// The keys of one endpoint in `endpoints.yaml`. A tool is served on the
/// endpoint when it passes every filter the endpoint names.
enum EndpointKey: String, SectionKey {
    /// The name clients see for this endpoint's server.
    case title
    /// Instructions for the model using this endpoint.
    case instructions
    /// Only tools of these connectors.
    case connectors
    /// Only tools whose name matches one of these patterns (`*`, `?`).
    case tools
    /// No tool whose name matches one of these patterns.
    case exclude
    /// Only tools with at least one of these tags.
    case tags
    /// Only read-only tools (annotations, or GET when the file says nothing).
    case readOnly = "read_only"
    /// Scopes every request to the endpoint needs.
    case scopes
    /// The token audience the endpoint accepts instead of its URL (for
    /// identity providers that cannot issue tokens for a URL).
    case audience
}

import Caller
import GatehouseJSON

/// What the protocol layer needs from the catalog and upstream layers: the
/// seam that keeps this module free of networking.
public protocol ToolProvider: Sendable {
    /// The current tools, already encoded as MCP `Tool` objects, in a stable
    /// order.
    func listing(for context: CallContext) -> ToolListing
    /// Runs a tool.
    func callTool(named name: String, arguments: JSONObject, context: CallContext) async -> ToolCallOutcome
    /// The prompts, encoded as MCP `Prompt` objects, in a stable order.
    func promptListing(for context: CallContext) -> ToolListing
    /// A prompt's messages for the given arguments.
    func prompt(named name: String, arguments: [String: String], context: CallContext) -> PromptOutcome
    /// Resources with a fixed URI, encoded as MCP `Resource` objects.
    func resourceListing(for context: CallContext) -> ToolListing
    /// Resource templates, encoded as MCP `ResourceTemplate` objects.
    func resourceTemplateListing(for context: CallContext) -> ToolListing
    /// Reads a resource.
    func readResource(_ uri: String, context: CallContext) async -> ResourceOutcome
    /// What is configured, for the capabilities a client is shown.
    var features: ServedFeatures { get }
}

extension ToolProvider {
    public func promptListing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }
    public func prompt(named name: String, arguments: [String: String], context: CallContext) -> PromptOutcome { .unknownPrompt }
    public func resourceListing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }
    public func resourceTemplateListing(for context: CallContext) -> ToolListing { ToolListing(descriptors: []) }
    public func readResource(_ uri: String, context: CallContext) async -> ResourceOutcome { .notFound }
    public var features: ServedFeatures { ServedFeatures() }
}

/// What reading a resource came to.
public enum ResourceOutcome: Sendable {
    /// The `ReadResourceResult.contents`.
    case contents([JSONValue])
    /// No resource has that URI.
    case notFound
    /// The caller's token lacks these scopes.
    case forbidden(requiredScopes: [String])
    /// The read failed (the API refused, timed out, …); the text says why.
    case failed(String)
}

/// Which kinds of things the server serves now, besides tools.
public struct ServedFeatures: Sendable, Equatable {
    public var prompts: Bool
    public var resources: Bool

    public init(prompts: Bool = false, resources: Bool = false) {
        self.prompts = prompts
        self.resources = resources
    }
}

/// What asking for a prompt came to.
public enum PromptOutcome: Sendable {
    /// The `GetPromptResult` fields.
    case result(JSONObject)
    case unknownPrompt
    /// The arguments do not fit the prompt (missing or unknown names).
    case invalidArguments(String)
}

/// What asking for a tool call came to.
public enum ToolCallOutcome: Sendable {
    /// The `CallToolResult` fields (tool errors included).
    case result(JSONObject)
    /// No tool has that name.
    case unknownTool
    /// The tool exists but the caller's token lacks these scopes (all the
    /// scopes the call needs, so the client can ask for them at once).
    case forbidden(requiredScopes: [String])
    /// The call cannot go on until the user finishes something in a
    /// browser (link an account, enter a key).
    case userActionRequired(UserActionRequest)
    /// The tool asks the user before it runs; call again with the answer
    /// in ``CallContext/confirmation``.
    case confirmationRequired(message: String)
}

/// How the user answered a confirmation.
public enum ConfirmationAnswer: String, Sendable {
    case accepted, declined, cancelled
}

/// A snapshot of the tool list as a caller may see it.
public struct ToolListing: Sendable {
    public var descriptors: [[UInt8]]
    /// Identifies this version of the list; it changes when tools change.
    public var generation: UInt64
    /// Whether the list differs between callers (it does once tools are
    /// filtered by scope); decides `cacheScope`.
    public var isPerCaller: Bool
    /// The list changed a short while ago: caches should check back soon.
    public var changedRecently: Bool

    public init(descriptors: [[UInt8]], generation: UInt64 = 0, isPerCaller: Bool = false, changedRecently: Bool = false) {
        self.descriptors = descriptors
        self.generation = generation
        self.isPerCaller = isPerCaller
        self.changedRecently = changedRecently
    }
}

/// Facts about one request that the tool layer may need.
public struct CallContext: Sendable {
    public var era: ProtocolEra
    public var protocolVersion: String
    public var requestID: JSONRPCID?
    /// Who is calling, when the endpoint authenticates its callers; `nil`
    /// when it does not (then no tool is filtered or refused by scope).
    public var caller: CallerIdentity?
    /// Fired when the client cancels this request (`notifications/cancelled`
    /// on a legacy session); the call should then stop its work.
    public var cancellation: CancellationSignal?
    /// Whether the client can open a URL for the user (URL-mode
    /// elicitation), from its capabilities.
    public var supportsURLElicitation = false
    /// Whether the client can show the user a question (form-mode
    /// elicitation), from its capabilities.
    public var supportsFormElicitation = false
    /// The user's answer to this call's confirmation, once they gave one.
    public var confirmation: ConfirmationAnswer?

    public init(era: ProtocolEra, protocolVersion: String, requestID: JSONRPCID? = nil, caller: CallerIdentity? = nil) {
        self.era = era
        self.protocolVersion = protocolVersion
        self.requestID = requestID
        self.caller = caller
    }
}

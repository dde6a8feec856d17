import Caller
import Hummingbird

/// The context of a request to `/mcp`: the gateway's, plus what the
/// middleware in front of the endpoint establishes on the way in, as
/// hummingbird-auth's `AuthRequestContext` carries its identity.
public struct MCPRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is calling, once ``BearerAuthMiddleware`` verified the token;
    /// `nil` when the endpoint does not authenticate.
    public var caller: CallerIdentity?
    /// Where the POST handler leaves the JSON-RPC method it answered, for
    /// ``MCPMetricsMiddleware``; `nil` on other HTTP methods.
    var answeredMethod: AnsweredMethod?
    /// The extra endpoint a `/mcp/NAME` request is for.
    var endpoint: ServedEndpoint?

    public init(context: GatewayRequestContext) {
        self.coreContext = context.coreContext
    }
}

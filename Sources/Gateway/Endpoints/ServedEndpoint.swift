import ConnectorModel
import MCPProtocol
import OAuth

/// One extra endpoint as served: its protocol server over its view of the
/// catalogue, and, with OAuth on, its own protected resource.
public struct ServedEndpoint: Sendable {
    public let definition: EndpointDefinition
    public let server: MCPServer
    public let resourceServer: ResourceServer?
}

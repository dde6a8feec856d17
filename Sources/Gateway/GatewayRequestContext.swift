import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's basics plus the connection, so
/// the few routes that need the client's address (registration's rate
/// limit) can read it without every request paying for it.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}

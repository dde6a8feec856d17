/// How long the gateway waits for a client at each step of a request, and
/// how many connections it keeps open at once.
///
/// Without these, a client that connects and sends nothing (or one header
/// byte a second) holds a descriptor for as long as it likes, and a few
/// hundred of them starve everyone else, health probes included.
public struct ConnectionLimits: Sendable, Equatable {
    /// From the first byte of a request (or from connecting) until its head
    /// is complete.
    public var headerTimeout: Duration = .seconds(10)
    /// From the head until the whole body has arrived.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections open at once; beyond this, new ones wait in the
    /// listen queue until one closes.
    public var maxConnections: Int = 1024

    public init() {}
}

import Synchronization

/// Whether this process should get traffic: the catalog has loaded once,
/// the upstream client is open, and shutdown has not begun. Load balancers
/// read it at `/readyz`; `/healthz` only says the process is alive.
public final class Readiness: Sendable {
    private let catalogLoaded = Atomic<Bool>(false)
    private let upstreamOpen = Atomic<Bool>(true)
    private let draining = Atomic<Bool>(false)

    public init() {}

    public func markCatalogLoaded() { catalogLoaded.store(true, ordering: .releasing) }
    public func markUpstreamClosed() { upstreamOpen.store(false, ordering: .releasing) }
    public func markDraining() { draining.store(true, ordering: .releasing) }

    /// What is not ready, empty when ready.
    public var problems: [String] {
        var problems: [String] = []
        if !catalogLoaded.load(ordering: .acquiring) { problems.append("connector catalog not loaded yet") }
        if !upstreamOpen.load(ordering: .acquiring) { problems.append("upstream client closed") }
        if draining.load(ordering: .acquiring) { problems.append("shutting down") }
        return problems
    }
}

import Catalog
import ConnectorModel
import MCPProtocol
import Synchronization

/// The extra endpoints of the current catalogue, built when first asked
/// for and again when their definition changes.
///
/// The endpoints file is reread with every reload, so the set can change
/// at any time: a request looks its endpoint up here, in the snapshot it
/// runs on. Each endpoint keeps its notification streams across
/// redefinitions (its ``ServerEvents`` is made once per name).
public final class EndpointRegistry: Sendable {
    public typealias Factory = @Sendable (EndpointDefinition, ServerEvents) -> ServedEndpoint

    struct State {
        var built: [String: ServedEndpoint] = [:]
        var events: [String: ServerEvents] = [:]
    }

    let store: CatalogStore
    let factory: Factory
    private let state = Mutex(State())

    init(store: CatalogStore, factory: @escaping Factory) {
        self.store = store
        self.factory = factory
    }

    /// The endpoint named `name` in the current catalogue, if there is one.
    public func endpoint(named name: String) -> ServedEndpoint? {
        guard let definition = store.catalog.endpointDefinitions.first(where: { $0.name == name }) else { return nil }
        if let built = state.withLock({ $0.built[name] }), built.definition == definition { return built }
        let events = state.withLock { state in
            if let events = state.events[name] { return events }
            let events = ServerEvents()
            state.events[name] = events
            return events
        }
        let endpoint = factory(definition, events)
        state.withLock { $0.built[name] = endpoint }
        return endpoint
    }

    /// Every endpoint of the current catalogue.
    public var all: [ServedEndpoint] {
        store.catalog.endpointDefinitions.compactMap { endpoint(named: $0.name) }
    }

    func publish(_ event: ServerEvent, to name: String) {
        state.withLock { $0.events[name] }?.publish(event)
    }

    func publishToAll(_ event: ServerEvent) {
        for events in state.withLock({ Array($0.events.values) }) { events.publish(event) }
    }

    func shutDown() {
        for events in state.withLock({ Array($0.events.values) }) { events.shutDown() }
    }

    var subscriberCount: Int {
        state.withLock { Array($0.events.values) }.reduce(0) { $0 + $1.subscriberCount }
    }
}

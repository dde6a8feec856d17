import Catalog
import ConnectorModel
import MCPProtocol
import Synchronization

/// The extra endpoints of the current catalogue, built when first asked
/// for and again when their definition changes.
///
/// The endpoints file is reread with every reload, so the set can change
/// at any time: a request looks its endpoint up here, in the snapshot it
/// runs on. What an endpoint's protocol server remembers — notification
/// streams, ended sessions, questions waiting for an answer, calls in
/// flight, used confirmation states — is made once per name and survives
/// a redefinition, so editing `endpoints.yaml` neither drops a waiting
/// answer nor reopens a used state.
public final class EndpointRegistry: Sendable {
    public typealias Factory = @Sendable (EndpointDefinition, EndpointMemory) -> ServedEndpoint

    struct State {
        var built: [String: ServedEndpoint] = [:]
        var memory: [String: EndpointMemory] = [:]
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
        let memory = state.withLock { state in
            if let memory = state.memory[name] { return memory }
            let memory = EndpointMemory()
            state.memory[name] = memory
            return memory
        }
        let endpoint = factory(definition, memory)
        state.withLock { $0.built[name] = endpoint }
        return endpoint
    }

    /// Every endpoint of the current catalogue.
    public var all: [ServedEndpoint] {
        store.catalog.endpointDefinitions.compactMap { endpoint(named: $0.name) }
    }

    func publish(_ event: ServerEvent, to name: String) {
        state.withLock { $0.memory[name] }?.events.publish(event)
    }

    func publishToAll(_ event: ServerEvent) {
        for memory in state.withLock({ Array($0.memory.values) }) { memory.events.publish(event) }
    }

    func shutDown() {
        for memory in state.withLock({ Array($0.memory.values) }) { memory.events.shutDown() }
    }

    var subscriberCount: Int {
        state.withLock { Array($0.memory.values) }.reduce(0) { $0 + $1.events.subscriberCount }
    }
}

/// What one endpoint's protocol server remembers between requests.
public struct EndpointMemory: Sendable {
    public let events = ServerEvents()
    public let revocations = SessionRevocations()
    public let inFlight = InFlightRequests()
    public let questions = PendingQuestions()
    public let spentStates = SpentRequestStates()
}

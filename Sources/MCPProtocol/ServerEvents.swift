import Synchronization

/// Something every open notification stream should hear about.
public enum ServerEvent: Sendable, Equatable {
    /// The tool list changed (a reload added, removed or edited tools).
    case toolsListChanged
    /// The prompt list changed.
    case promptsListChanged
    /// The resource or resource template list changed.
    case resourcesListChanged
    /// Nothing happened; a comment line keeps idle proxies from closing the stream.
    case keepAlive
    /// The server is shutting down; streams end gracefully.
    case shutdown
}

/// Fans server events out to every open notification stream: legacy GET
/// streams and 2026-07-28 `subscriptions/listen` streams alike.
public final class ServerEvents: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<ServerEvent>.Continuation] = [:]
        var isShutDown = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A new stream of events; it ends when the subscriber stops listening
    /// or the server shuts down.
    public func subscribe() -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self, bufferingPolicy: .bufferingNewest(8))
        let id: Int? = state.withLock { state in
            guard !state.isShutDown else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.yield(.shutdown)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: ServerEvent) {
        let continuations = state.withLock { Array($0.subscribers.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    /// Tells every stream to end, and refuses new ones.
    public func shutDown() {
        let continuations = state.withLock { state in
            state.isShutDown = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in continuations {
            continuation.yield(.shutdown)
            continuation.finish()
        }
    }

    public var subscriberCount: Int {
        state.withLock { $0.subscribers.count }
    }
}

import GatehouseJSON
import Synchronization

/// The legacy-session requests this replica is working on, so that a
/// `notifications/cancelled` naming one of them can stop it.
///
/// Only the replica that received the request can cancel it; a cancellation
/// that reaches another replica names an unknown request, which the spec
/// allows to be ignored. (2026-07-28 clients cancel by closing the
/// connection, which needs no registry.)
public final class InFlightRequests: Sendable {
    struct Key: Hashable {
        var session: String
        var request: JSONRPCID
    }

    private let requests = Mutex<[Key: CancellationSignal]>([:])

    public init() {}

    /// Requests being tracked now.
    public var count: Int { requests.withLock { $0.count } }

    /// Tracks a request for the length of `body`, which receives the signal
    /// a cancellation fires. A second request reusing a live id is not
    /// tracked (its cancellation would be ambiguous).
    func track<Value>(
        session: String, request: JSONRPCID, _ body: (CancellationSignal?) async -> Value
    ) async -> Value {
        let key = Key(session: session, request: request)
        let signal = CancellationSignal()
        let tracked = requests.withLock { requests -> Bool in
            guard requests[key] == nil else { return false }
            requests[key] = signal
            return true
        }
        guard tracked else { return await body(nil) }
        defer { _ = requests.withLock { $0.removeValue(forKey: key) } }
        return await body(signal)
    }

    /// Fires the signal of a tracked request; unknown requests are ignored.
    func cancel(session: String, request: JSONRPCID) {
        let signal = requests.withLock { $0[Key(session: session, request: request)] }
        signal?.fire()
    }
}

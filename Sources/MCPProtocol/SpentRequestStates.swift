import Synchronization

/// Confirmation states already used on this replica, so an answered
/// question cannot be replayed to repeat a destructive call.
///
/// Each entry lives only as long as its state could be accepted anyway
/// (a few minutes), and the set is bounded; replicas do not share it, so a
/// replay that reaches another replica within that time is the one window
/// left, and it is as short as the state's lifetime.
public final class SpentRequestStates: Sendable {
    private let spent = Mutex<[String: Int64]>([:])
    let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Marks `state` used; false when it already was.
    func spend(_ state: String, expiresAt: Int64, now: Int64) -> Bool {
        spent.withLock { spent in
            if spent.count >= capacity { spent = spent.filter { $0.value > now } }
            if spent.count >= capacity, let oldest = spent.min(by: { $0.value < $1.value }) { spent.removeValue(forKey: oldest.key) }
            guard spent[state] == nil else { return false }
            spent[state] = expiresAt
            return true
        }
    }
}

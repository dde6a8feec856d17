import DequeModule
import Synchronization

/// At most `capacity` upstream calls in flight; the rest wait their turn in
/// arrival order, up to a deadline.
///
/// Waiting is a continuation parked in a queue rather than polling, so a
/// thousand queued calls cost memory, not CPU.
public final class ConcurrencyLimiter: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var available: Int
        var waiters: Deque<Waiter> = []
        var nextID: UInt64 = 0
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    public init(capacity: Int) {
        precondition(capacity > 0, "a concurrency limit needs at least one slot")
        self.capacity = capacity
        self.state = Mutex(State(available: capacity))
    }

    /// Calls holding a slot now.
    public var inFlight: Int { state.withLock { capacity - $0.available } }

    /// Calls waiting for a slot now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes a slot, waiting until `deadline` at most. Returns false when
    /// the deadline passed or the task was cancelled first; then there is
    /// nothing to release.
    public func acquire(until deadline: ContinuousClock.Instant) async -> Bool {
        let immediate = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if immediate { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForSlot() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            // A slot granted while the deadline fired is still ours.
            var granted = first
            for await result in group where result { granted = true }
            return granted
        }
    }

    /// Gives a slot back, to the longest waiting call if there is one.
    public func release() {
        let next = state.withLock { state -> Waiter? in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.available = min(state.available + 1, capacity)
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    private func waitForSlot() async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> Bool? in
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    // Checked under the lock: a cancellation either sees the
                    // waiter queued or is seen here.
                    if Task.isCancelled { return false }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let abandoned = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            abandoned?.continuation.resume(returning: false)
        }
    }
}

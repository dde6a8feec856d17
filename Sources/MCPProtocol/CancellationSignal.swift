import Synchronization

/// A one-shot signal: fired once, awaited or watched by any number of
/// parties.
///
/// Waiting is cancellable and watching can be withdrawn, and neither leaves
/// anything behind, so a call racing a signal that never fires (the common
/// case: nobody cancels) costs nothing once the race is over.
public final class CancellationSignal: Sendable {
    private struct State: ~Copyable {
        var fired = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var watchers: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var isFired: Bool { state.withLock { $0.fired } }

    /// Wakes every waiter, now and later. Firing twice is harmless.
    public func fire() {
        let (waiters, watchers) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard !state.fired else { return ([], []) }
            state.fired = true
            defer {
                state.waiters.removeAll()
                state.watchers.removeAll()
            }
            return (Array(state.waiters.values), Array(state.watchers.values))
        }
        for waiter in waiters { waiter.resume() }
        for watcher in watchers { watcher() }
    }

    /// Runs `action` when the signal fires (now, if it has). Returns what
    /// withdraws it.
    public func whenFired(_ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let id = state.withLock { state -> UInt64? in
            guard !state.fired else { return nil }
            state.nextID &+= 1
            state.watchers[state.nextID] = action
            return state.nextID
        }
        guard let id else {
            action()
            return {}
        }
        return { [self] in _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
    }

    /// Returns when the signal fires or the waiting task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

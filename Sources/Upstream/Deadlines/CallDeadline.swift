/// Why a call stopped before it finished.
public enum CallInterruption: Error, Sendable, Equatable {
    /// Its time budget ran out.
    case timedOut
    /// The client went away or cancelled the request.
    case abandoned
}

/// Runs `operation` until it finishes, `timeout` passes, or one of the
/// `abandonments` fires, whichever comes first; the loser is cancelled.
///
/// The HTTP client's own deadline ends when the response head arrives, and
/// a body can then stall forever. Racing the whole call (waiting for a
/// concurrency slot, every attempt, every body read and every retry wait)
/// against one timer is the only bound that holds for all of it.
/// Cancelling the operation's task makes the HTTP client drop the request
/// and its connection, and the limiter give back the slot.
func withCallDeadline<Value: Sendable>(
    _ timeout: Duration, abandonments: [any CallAbandonment],
    _ operation: @escaping @Sendable () async -> Value
) async -> Result<Value, CallInterruption> {
    await withTaskGroup(of: Result<Value, CallInterruption>.self) { group in
        group.addTask { .success(await operation()) }
        group.addTask {
            do {
                try await Task.sleep(for: timeout)
                return .failure(.timedOut)
            } catch {
                // The caller's own task was cancelled (shutdown, disconnect).
                return .failure(.abandoned)
            }
        }
        for abandonment in abandonments {
            group.addTask {
                await abandonment.waitUntilAbandoned()
                return .failure(.abandoned)
            }
        }
        // The group is never empty here: the operation and the timer are in it.
        let first = await group.next() ?? .failure(.timedOut)
        group.cancelAll()
        return first
    }
}

import NIOCore
import NIOPosix
import Synchronization

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
///
/// This sits on every tool call, so the race costs one task and a timer on
/// an event loop: the timer and the abandonments cancel the task from
/// their callbacks, where a task group would need a task for each.
func withCallDeadline<Value: Sendable>(
    _ timeout: Duration, abandonments: [any CallAbandonment],
    _ operation: @escaping @Sendable () async -> Value
) async -> Result<Value, CallInterruption> {
    let outcome = CallOutcome()
    // An unstructured task does not inherit the caller's executor
    // preference: passed on, the call stays on the connection's loop.
    let task = Task(executorPreference: EventLoopTaskExecutor.current) { () -> Value in
        let value = await operation()
        outcome.settle(.finished)
        return value
    }
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
        if outcome.settle(.timedOut) { task.cancel() }
    }
    let watches = abandonments.map { abandonment in
        abandonment.whenAbandoned { if outcome.settle(.abandoned) { task.cancel() } }
    }
    let value = await withTaskCancellationHandler {
        await task.value
    } onCancel: {
        // The caller's own task was cancelled (shutdown, disconnect).
        if outcome.settle(.abandoned) { task.cancel() }
    }
    timer.cancel()
    for watch in watches { watch.cancel() }
    switch outcome.state {
    case .timedOut: return .failure(.timedOut)
    case .abandoned: return .failure(.abandoned)
    case .running, .finished: return .success(value)
    }
}

/// Who settled a call first: the operation itself, the timer, or an
/// abandonment. Only the first counts.
final class CallOutcome: Sendable {
    enum State: UInt8 {
        case running, finished, timedOut, abandoned
    }

    private let raw = Atomic<UInt8>(State.running.rawValue)

    var state: State { State(rawValue: raw.load(ordering: .acquiring)) ?? .running }

    /// Whether this settled the call.
    @discardableResult
    func settle(_ state: State) -> Bool {
        raw.compareExchange(expected: State.running.rawValue, desired: state.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : total + attoseconds / 1_000_000_000
    }
}

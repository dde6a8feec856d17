import MCPProtocol
import Upstream

/// A call abandoned when a cancellation signal fires: the client's
/// connection closing (``ConnectionGuard``) or a legacy
/// `notifications/cancelled` naming the request.
struct SignalAbandonment: CallAbandonment {
    let signal: CancellationSignal

    func whenAbandoned(_ action: @escaping @Sendable () -> Void) -> AbandonmentWatch {
        let stop = signal.whenFired(action)
        return AbandonmentWatch(stop: stop)
    }
}

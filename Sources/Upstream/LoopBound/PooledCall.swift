import NIOCore
import NIOHTTP1

/// One upstream request in a pool, from start to answer: its deadline, the
/// connection attempt or exchange under way (so a timeout or a cancelled
/// caller can stop it), and the promise the caller waits on. Touched on the
/// pool's event loop only.
final class PooledCall: @unchecked Sendable {
    // @unchecked: mutable state is confined to the pool's event loop; the
    // caller's task only hands it over and waits on `promise`.
    let request: UpstreamRequest
    let target: HTTP1Target
    let head: HTTPRequestHead
    let deadline: NIODeadline
    let promise: EventLoopPromise<UpstreamResponse>
    /// Set once a stale connection's failure has been retried.
    var mayRetry: Bool
    var exchange: (UpstreamExchange, any Channel)?
    private(set) var isSettled = false
    private var timer: Scheduled<Void>?

    init(request: UpstreamRequest, target: HTTP1Target, head: HTTPRequestHead, eventLoop: any EventLoop) {
        self.request = request
        self.target = target
        self.head = head
        self.deadline = .now() + .nanoseconds(request.timeout.nanoseconds)
        self.promise = eventLoop.makePromise(of: UpstreamResponse.self)
        self.mayRetry = request.method.isIdempotent
    }

    /// Arms the deadline; runs on the pool's loop before the call starts.
    func armTimer(on eventLoop: any EventLoop) {
        timer = eventLoop.scheduleTask(deadline: deadline) { [self] in
            stop(.timedOut(request.timeout))
        }
    }

    /// Ends the call early: its time ran out or its caller went away. The
    /// connection in use is closed, since its answer would arrive for nobody.
    func stop(_ failure: UpstreamFailure) {
        if let (exchange, channel) = exchange {
            self.exchange = nil
            exchange.finish(.failure(failure), reusable: false)
            channel.close(promise: nil)
        }
        finish(.failure(failure))
    }

    func finish(_ result: Result<UpstreamResponse, UpstreamFailure>) {
        guard !isSettled else { return }
        isSettled = true
        timer?.cancel()
        timer = nil
        promise.completeWith(result.mapError { $0 as any Error })
    }
}

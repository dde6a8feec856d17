import MCPProtocol
import NIOCore

/// Closes connections whose client is too slow, and tells running calls
/// when their client has gone.
///
/// It sits first in the pipeline, where it sees every byte as it arrives,
/// so a request counts as started at its first byte, not when its head is
/// complete: a client dripping a header one byte at a time is closed after
/// ``ConnectionLimits/headerTimeout``, however long ago it last sent a
/// request. ``RequestProgressHandler``, after the HTTP decoder, reports
/// where each request stands.
///
/// Nothing is timed while a response is being produced: a tool call's own
/// timeout bounds that, and notification streams are meant to stay open.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Phase {
        /// Between requests on a keep-alive connection.
        case awaitingRequest
        case readingHead
        case readingBody
        /// The request is in; its response is not finished.
        case responding
    }

    let limits: ConnectionLimits
    /// Fired when the client closes its side or the connection drops.
    let closed = CancellationSignal()
    private(set) var phase: Phase = .readingHead
    /// Heads received minus responses finished (more than one when a
    /// client pipelines).
    private var unanswered = 0
    /// When the current phase runs out of time; `nil` while responding.
    private var deadline: NIODeadline?
    /// The phase `deadline` was set for.
    private var armedPhase: Phase = .readingHead
    /// The one timer, and when it fires: never later than `deadline`, often
    /// earlier, when it then moves itself to `deadline`.
    private var timer: Scheduled<Void>?
    private var timerFiresAt: NIODeadline?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { arm(limits.headerTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        phase = .readingHead
        arm(limits.headerTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        cancelTimer()
        closed.fire()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .awaitingRequest {
            phase = .readingHead
            arm(limits.headerTimeout)
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            // The client closed its side: whatever it asked for, nobody will
            // read the answer (proxies treat it the same way). Stop the work
            // and free the descriptor.
            closed.fire()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Reports from RequestProgressHandler

    func headReceived() {
        unanswered += 1
        phase = .readingBody
        arm(limits.bodyTimeout)
    }

    func requestReceived() {
        if unanswered > 0 {
            phase = .responding
            disarm()
        } else {
            // Answered before the body was read (a refusal): wait for the next.
            awaitNextRequest()
        }
    }

    func responseFinished() {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0, phase == .responding { awaitNextRequest() }
    }

    // MARK: Timing

    private func awaitNextRequest() {
        phase = .awaitingRequest
        arm(limits.idleTimeout)
    }

    /// Sets the time the current phase may take. Every request passes
    /// through three phases, so rather than a timer per phase (which cost a
    /// twentieth of a small call's CPU) one timer stays scheduled at or
    /// before the earliest deadline, and a deadline set later than it only
    /// changes a value: when the timer fires early it moves itself on.
    private func arm(_ timeout: Duration) {
        guard let context else { return }
        let deadline = context.eventLoop.now + .init(timeout)
        self.deadline = deadline
        armedPhase = phase
        if let timerFiresAt, timerFiresAt <= deadline { return }
        schedule(at: deadline)
    }

    private func disarm() {
        deadline = nil
    }

    private func schedule(at time: NIODeadline) {
        timer?.cancel()
        guard let context else { return }
        timerFiresAt = time
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: time) { [self] in
            timer = nil
            timerFiresAt = nil
            guard let deadline else { return }
            if context.eventLoop.now < deadline { return schedule(at: deadline) }
            self.deadline = nil
            // A phase change re-arms; this only fires if it stood still.
            guard phase == armedPhase, phase != .responding else { return }
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

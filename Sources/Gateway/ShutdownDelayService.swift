import Logging
import ServiceLifecycle

/// Holds the listeners open for a while once shutdown begins, with
/// `/readyz` answering 503.
///
/// A load balancer only stops sending traffic after its probe has seen a
/// few failures; a listener that closed at once would turn those probes
/// and the requests still routed here into refused connections. Listed
/// last among the services, it is the first to be told to shut down, and
/// the others are told only after it returns.
public struct ShutdownDelayService: Service {
    let readiness: Readiness
    let delay: Duration
    let logger: Logger

    public init(readiness: Readiness, delay: Duration, logger: Logger) {
        self.readiness = readiness
        self.delay = delay
        self.logger = logger
    }

    public func run() async throws {
        // Throws only when cancelled, which ends the wait all the same.
        try? await gracefulShutdown()
        guard !Task.isCancelled else { return }
        readiness.markDraining()
        guard delay > .zero else { return }
        logger.info("shutting down: /readyz answers 503 before the listener closes", metadata: ["delay_s": "\(delay.components.seconds)"])
        try? await Task.sleep(for: delay)
    }
}

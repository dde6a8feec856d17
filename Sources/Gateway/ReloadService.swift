import Catalog
import Logging
import MCPProtocol
import ServiceLifecycle
import UnixSignals

/// Runs the catalogue's ``ReloadLoop`` beside the server and wires it in:
/// SIGHUP asks for a full reload, each reload goes through
/// ``Gateway/reload(reason:full:)`` (metrics, logs, notifications).
///
/// Also sends keep-alives on notification streams, and on graceful
/// shutdown ends them cleanly so the HTTP server can drain.
public struct ReloadService: Service {
    public let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    public func run() async throws {
        let settings = gateway.settings
        let logger = gateway.logger
        let gateway = self.gateway
        let loop = ReloadLoop(
            reloader: gateway.reloader, watchMode: settings.watchMode, pollInterval: settings.pollInterval,
            debounce: settings.reloadDebounce, logger: logger)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await loop.run { trigger in
                        try gateway.reload(reason: trigger.rawValue, full: trigger == .hangup)
                    }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { loop.notice(.hangup) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: settings.keepAliveInterval)
                        gateway.server.events.publish(.keepAlive)
                        gateway.endpoints.publishToAll(.keepAlive)
                    }
                }
                try? await gracefulShutdown()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            gateway.readiness.markDraining()
            logger.info("shutting down: ending notification streams, finishing calls in flight")
            gateway.server.events.shutDown()
            gateway.endpoints.shutDown()
        }
    }
}

extension ReloadService: CustomStringConvertible {
    public var description: String { "ReloadService" }
}

import Catalog
import Logging
import MCPProtocol
import ServiceLifecycle
import UnixSignals

/// Keeps the catalog in step with the connector folder while the server runs.
///
/// Reloads on folder changes (inotify and/or polling), on SIGHUP, one at a
/// time: a burst of events during a reload collapses into one more reload,
/// and each reload waits a short debounce for an editor or `kubectl` to
/// finish writing. Sends keep-alives on notification streams, and on
/// graceful shutdown ends them cleanly so the HTTP server can drain.
public struct ReloadService: Service {
    public let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    public func run() async throws {
        let settings = gateway.settings
        let logger = gateway.logger
        let (triggers, trigger) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    let changes = FolderWatcher.changes(
                        of: settings.connectorsPath, mode: settings.watchMode, pollInterval: settings.pollInterval)
                    for await _ in changes { trigger.yield("folder changed") }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { trigger.yield("SIGHUP") }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: settings.keepAliveInterval)
                        gateway.server.events.publish(.keepAlive)
                    }
                }
                group.addTask {
                    for await reason in triggers {
                        try? await Task.sleep(for: settings.reloadDebounce)
                        do {
                            try gateway.reload(reason: reason)
                        } catch {
                            logger.error("reload after \(reason) failed: \(error)")
                        }
                    }
                }
                try? await gracefulShutdown()
                group.cancelAll()
                trigger.finish()
            }
        } onGracefulShutdown: {
            gateway.server.events.shutDown()
        }
    }
}

extension ReloadService: CustomStringConvertible {
    public var description: String { "ReloadService" }
}

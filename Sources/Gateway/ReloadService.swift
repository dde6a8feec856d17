import Catalog
import Foundation
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
        let (triggers, trigger) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    let changes = FolderWatcher.changes(
                        of: settings.connectorsPath, mode: settings.watchMode, pollInterval: settings.pollInterval)
                    for await _ in changes { trigger.yield(.folderChanged) }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { trigger.yield(.hangup) }
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
                        await Self.onReloadThread {
                            do {
                                try gateway.reload(reason: reason.rawValue, full: reason == .hangup)
                            } catch {
                                logger.error("reload after \(reason.rawValue) failed: \(error)")
                            }
                        }
                    }
                }
                try? await gracefulShutdown()
                group.cancelAll()
                trigger.finish()
            }
        } onGracefulShutdown: {
            gateway.readiness.markDraining()
            logger.info("shutting down: ending notification streams, finishing calls in flight")
            gateway.server.events.shutDown()
        }
    }
}

extension ReloadService {
    enum Trigger: String {
        case folderChanged = "folder changed"
        case hangup = "SIGHUP"
    }

    /// Runs a reload on its own low-priority thread: decoding a large folder
    /// is CPU work that must not occupy the few threads serving calls.
    static func onReloadThread(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                #if os(Linux)
                // On Linux the nice value belongs to the thread: this lowers
                // only the reload thread.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                #endif
                work()
                continuation.resume()
            }
            thread.name = "gatehouse-reload"
            thread.start()
        }
    }
}

extension ReloadService: CustomStringConvertible {
    public var description: String { "ReloadService" }
}

import Catalog
import Foundation
import Logging
import MCPProtocol
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Keeps the catalog in step with the connector folder while the server runs.
///
/// Reloads on folder changes (inotify and/or polling), on SIGHUP, one at a
/// time: a burst of events becomes one reload once the folder has been
/// quiet for the debounce interval (``ReloadDebouncer``), and a change
/// already read is not read again. Sends keep-alives on notification streams, and on
/// graceful shutdown ends them cleanly so the HTTP server can drain.
public struct ReloadService: Service {
    public let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    public func run() async throws {
        let settings = gateway.settings
        let logger = gateway.logger
        let debouncer = SharedDebouncer(ReloadDebouncer(
            quiet: settings.reloadDebounce, longest: max(.seconds(1), settings.reloadDebounce * 20)))
        // Wakes the reloading task; the debouncer holds what is pending.
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let note = { @Sendable (trigger: Trigger) in
            debouncer.withLock { $0.note(trigger, at: .now) }
            wake.yield()
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    let changes = FolderWatcher.changes(
                        of: settings.connectorsPath, mode: settings.watchMode, pollInterval: settings.pollInterval)
                    for await _ in changes { note(.folderChanged) }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { note(.hangup) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: settings.keepAliveInterval)
                        gateway.server.events.publish(.keepAlive)
                    }
                }
                group.addTask {
                    for await _ in wakes {
                        while let due = debouncer.withLock({ $0.due }) {
                            if due > .now {
                                try? await Task.sleep(until: due)
                                if Task.isCancelled { return }
                                continue
                            }
                            guard let reason = debouncer.withLock({ $0.take(at: .now) }) else { continue }
                            // inotify and polling both report an edit; the
                            // second report finds the folder as last read.
                            if reason == .folderChanged, let last = gateway.reloads.fingerprint, last.isSettled,
                                last == FolderFingerprint.of(settings.connectorsPath)
                            {
                                logger.debug("folder unchanged since the last reload; not reloading")
                                continue
                            }
                            await Self.onReloadThread {
                                do {
                                    try gateway.reload(reason: reason.rawValue, full: reason == .hangup)
                                } catch {
                                    logger.error("reload after \(reason.rawValue) failed: \(error)")
                                }
                            }
                        }
                    }
                }
                try? await gracefulShutdown()
                group.cancelAll()
                wake.finish()
            }
        } onGracefulShutdown: {
            gateway.readiness.markDraining()
            logger.info("shutting down: ending notification streams, finishing calls in flight")
            gateway.server.events.shutDown()
        }
    }
}

/// The debouncer, shared by the tasks that note events and the one that reloads.
final class SharedDebouncer: Sendable {
    private let state: Mutex<ReloadDebouncer>

    init(_ debouncer: ReloadDebouncer) { state = Mutex(debouncer) }

    func withLock<Result>(_ body: (inout ReloadDebouncer) -> Result) -> Result { state.withLock { body(&$0) } }
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

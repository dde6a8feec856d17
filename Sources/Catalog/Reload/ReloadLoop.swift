import Foundation
import Logging
import Synchronization

/// Keeps the catalogue in step with the connector folder while the server
/// runs.
///
/// Watches the folder (inotify and/or polling) and takes other triggers
/// through ``notice(_:)`` (the gateway forwards SIGHUP); reloads one at a
/// time: a burst of events becomes one reload once the folder has been
/// quiet for the debounce interval (``ReloadDebouncer``), and a change
/// already read is not read again.
public final class ReloadLoop: Sendable {
    public let reloader: CatalogReloader
    let watchMode: WatchMode
    let pollInterval: Duration
    let logger: Logger
    private let debouncer: Mutex<ReloadDebouncer>
    // Wakes the reloading task; the debouncer holds what is pending.
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(reloader: CatalogReloader, watchMode: WatchMode, pollInterval: Duration, debounce: Duration, logger: Logger) {
        self.reloader = reloader
        self.watchMode = watchMode
        self.pollInterval = pollInterval
        self.logger = logger
        debouncer = Mutex(ReloadDebouncer(quiet: debounce, longest: max(.seconds(1), debounce * 20)))
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a reload once the current burst of events is over.
    public func notice(_ trigger: ReloadTrigger) {
        debouncer.withLock { $0.note(trigger, at: .now) }
        wake.yield()
    }

    /// Watches and reloads until cancelled; `reload` runs on a low-priority
    /// thread of its own and its errors are logged.
    public func run(reload: @escaping @Sendable (ReloadTrigger) throws -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let changes = FolderWatcher.changes(of: self.reloader.folder, mode: self.watchMode, pollInterval: self.pollInterval)
                for await _ in changes { self.notice(.folderChanged) }
            }
            // With watching off the watcher ends at once; SIGHUP still reloads.
            group.addTask { await self.reloadWhenDue(reload) }
        }
    }

    private func reloadWhenDue(_ reload: @escaping @Sendable (ReloadTrigger) throws -> Void) async {
        for await _ in wakes {
            while let due = debouncer.withLock({ $0.due }) {
                if due > .now {
                    try? await Task.sleep(until: due)
                    if Task.isCancelled { return }
                    continue
                }
                guard let trigger = debouncer.withLock({ $0.take(at: .now) }) else { continue }
                if trigger == .folderChanged, reloader.isUnchangedSinceLastReload {
                    logger.debug("folder unchanged since the last reload; not reloading")
                    continue
                }
                let logger = self.logger
                await Self.onReloadThread {
                    do {
                        try reload(trigger)
                    } catch {
                        logger.error("reload after \(trigger.rawValue) failed: \(error)")
                    }
                }
            }
            if Task.isCancelled { return }
        }
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

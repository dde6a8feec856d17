/// How changes to the connector folder are noticed.
public enum WatchMode: String, Sendable, CaseIterable {
    /// inotify for speed, plus slow polling as a safety net for file systems
    /// where inotify stays silent (network mounts, some overlay set-ups).
    case auto
    /// inotify only.
    case inotify
    /// Polling only.
    case poll
    /// No watching; reload on SIGHUP only.
    case off
}

/// Produces a signal whenever the folder may have changed. Signals carry no
/// detail: the reloader rereads the whole folder, which is what makes
/// renames, deletions and ConfigMap symlink swaps all behave the same.
public enum FolderWatcher {
    public static func changes(
        of directory: String, mode: WatchMode, pollInterval: Duration
    ) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var sources: [AsyncStream<Void>] = []
        if mode == .auto || mode == .inotify, let inotify = InotifyWatcher.changes(of: directory) {
            sources.append(inotify)
        }
        if mode == .poll || mode == .auto || (mode == .inotify && sources.isEmpty) {
            sources.append(PollingWatcher.changes(of: directory, interval: pollInterval))
        }
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for source in sources {
                    group.addTask {
                        for await _ in source { continuation.yield(()) }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

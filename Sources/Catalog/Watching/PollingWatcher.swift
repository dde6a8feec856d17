import Foundation

/// Notices changes by comparing a fingerprint of the folder at an interval:
/// for file systems where inotify does not fire.
enum PollingWatcher {
    static func changes(of directory: String, interval: Duration) -> AsyncStream<Void> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                var last = fingerprint(of: directory)
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    let current = fingerprint(of: directory)
                    if current != last {
                        last = current
                        continuation.yield(())
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func fingerprint(of directory: String) -> [String] {
        FolderFingerprint.of(directory).parts
    }
}

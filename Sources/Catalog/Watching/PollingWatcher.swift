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

    /// Names, sizes, modification times and inode numbers of the connector
    /// files, following symlinks, plus where `..data` points: any edit,
    /// rename, deletion or ConfigMap swap changes it.
    static func fingerprint(of directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return ["<missing>"] }
        var parts: [String] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            if name == "..data" {
                parts.append("..data->" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""))
                continue
            }
            guard !name.hasPrefix("."), name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { continue }
            var info = stat()
            guard stat(path, &info) == 0 else {
                parts.append(name + ":unreadable")
                continue
            }
            parts.append("\(name):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)")
        }
        return parts
    }
}

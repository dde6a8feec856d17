import Foundation

/// What the connector folder looks like from outside: names, sizes,
/// modification times and inode numbers of the connector files (following
/// links), and where `..data` points. Any edit, rename, deletion or
/// ConfigMap swap changes it.
///
/// Polling compares it to notice changes; the reloader compares it to skip
/// a reload for a change it has already read (inotify and polling both
/// report the same edit).
public struct FolderFingerprint: Sendable, Equatable {
    public let parts: [String]
    /// The newest modification time among the files, in nanoseconds since
    /// 1970, and when the fingerprint was taken.
    var newestModification: Int64 = 0
    var takenAt: Int64 = 0

    public static func == (lhs: FolderFingerprint, rhs: FolderFingerprint) -> Bool { lhs.parts == rhs.parts }

    /// Whether an equal fingerprint proves the folder unchanged. File times
    /// move in coarse ticks: a same-size edit in the tick the fingerprint was
    /// taken in would leave it equal, so a file modified that recently
    /// proves nothing.
    public var isSettled: Bool { takenAt - newestModification > 50_000_000 }

    public static func of(_ path: String) -> FolderFingerprint {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return FolderFingerprint(parts: ["<missing>"])
        }
        guard isDirectory.boolValue else {
            var newest: Int64 = 0
            let part = entry(name: (path as NSString).lastPathComponent, path: path, newest: &newest)
            return FolderFingerprint(parts: [part], newestModification: newest, takenAt: now())
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return FolderFingerprint(parts: ["<unreadable>"])
        }
        var parts: [String] = []
        var newest: Int64 = 0
        for name in names.sorted() {
            let file = path + "/" + name
            if name == "..data" {
                parts.append("..data->" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? ""))
                continue
            }
            guard ConnectorFolder.isWatchedFile(name) else { continue }
            parts.append(entry(name: name, path: file, newest: &newest))
        }
        return FolderFingerprint(parts: parts, newestModification: newest, takenAt: now())
    }

    static func entry(name: String, path: String, newest: inout Int64) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return name + ":unreadable" }
        newest = max(newest, Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        return "\(name):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

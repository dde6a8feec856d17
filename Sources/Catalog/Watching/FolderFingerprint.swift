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

    public static func of(_ path: String) -> FolderFingerprint {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return FolderFingerprint(parts: ["<missing>"])
        }
        guard isDirectory.boolValue else {
            return FolderFingerprint(parts: [entry(name: (path as NSString).lastPathComponent, path: path)])
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return FolderFingerprint(parts: ["<unreadable>"])
        }
        var parts: [String] = []
        for name in names.sorted() {
            let file = path + "/" + name
            if name == "..data" {
                parts.append("..data->" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? ""))
                continue
            }
            guard !name.hasPrefix("."), name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { continue }
            parts.append(entry(name: name, path: file))
        }
        return FolderFingerprint(parts: parts)
    }

    static func entry(name: String, path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return name + ":unreadable" }
        return "\(name):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
    }
}

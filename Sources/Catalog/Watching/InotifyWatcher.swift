#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization

/// Watches a folder with Linux inotify.
///
/// The folder itself is watched, not its files: a Kubernetes ConfigMap
/// update renames `..data` inside it, an editor's save-by-rename moves a new
/// file over the old, and both show up as events on the folder. A thread
/// blocks in `poll(2)` so no event loop is tied up; it re-adds the watch if
/// the folder is deleted and created again.
enum InotifyWatcher {
    static let mask: UInt32 = UInt32(
        IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF
            | IN_MOVE_SELF)

    static func changes(of directory: String) -> AsyncStream<Void>? {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            close(fd)
            return nil
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let stopped = StopFlag()
        continuation.onTermination = { _ in stopped.stop() }
        let thread = Thread {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var watching = true
            while !stopped.isStopped {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 250)
                if !watching {
                    // The folder went away; pick it up again once it is back.
                    if inotify_add_watch(fd, directory, mask) >= 0 {
                        watching = true
                        continuation.yield(())
                    }
                    continue
                }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { continue }
                if Self.containsWatchLoss(buffer, count: count) { watching = false }
                continuation.yield(())
            }
        }
        thread.name = "gatehouse-inotify"
        thread.start()
        return stream
    }

    /// Whether the events include IN_IGNORED (the watch was removed, e.g.
    /// because the folder was deleted).
    static func containsWatchLoss(_ buffer: [UInt8], count: Int) -> Bool {
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= count {
            let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
            if event.mask & UInt32(IN_IGNORED) != 0 { return true }
            offset += headerSize + Int(event.len)
        }
        return false
    }
}

final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func stop() { value.store(true, ordering: .relaxed) }
    var isStopped: Bool { value.load(ordering: .relaxed) }
}
#else
enum InotifyWatcher {
    static func changes(of directory: String) -> AsyncStream<Void>? { nil }
}
#endif

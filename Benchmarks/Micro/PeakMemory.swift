import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The growth of the process's peak resident memory over one piece of
/// work, from Linux's `/proc/self/status`: the peak is reset first (by
/// writing 5 to `/proc/self/clear_refs`), so the figure is what the work
/// itself needed at its height, not the process's history.
enum PeakMemory {
    static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    /// glibc's `malloc_trim(0)`, found at run time: its header is not part
    /// of the Glibc module.
    static func trim() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }

    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Bytes the peak rose by while `body` ran, or nil where it cannot be read.
    static func growth(_ body: () async -> Void) async -> Int? {
        // Memory freed earlier goes back to the system first; otherwise the
        // allocator's pools would hide what the work needs.
        trim()
        guard resetPeak(), let before = field("VmRSS") else { return nil }
        await body()
        guard let peak = field("VmHWM") else { return nil }
        return max(0, peak - before)
    }

    static func measurement(_ name: String, _ body: () async -> Void) async -> Measurement {
        // Once to warm caches and allocator pools, then the measured run.
        await body()
        let growth = await growth(body)
        var result = Measurement(name: name, nanosecondsPerOperation: 0)
        result.text = growth.map { String(format: "%.1f MiB peak growth", Double($0) / 1_048_576) } ?? "n/a (no /proc)"
        return result
    }
}

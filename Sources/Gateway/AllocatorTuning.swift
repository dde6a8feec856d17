#if canImport(Glibc)
import Glibc
#endif

/// How the C allocator keeps memory between calls.
///
/// glibc gives memory back to the system as soon as 128 KiB lie free at
/// the top of a heap, and its threads each use their own heap. A tool
/// answer of tens of kilobytes needs a few buffers of its size; with dozens
/// of calls in flight, each call's buffers were given back and then touched
/// afresh by the next, and page faults were a tenth of the gateway's CPU
/// on 64 KiB answers (BENCHMARKS.md). Keeping up to 4 MiB free per heap,
/// growing heaps 1 MiB at a time and taking blocks of 1 MiB or more
/// straight from the system (so the longest answers are returned at once)
/// removes most of them, for at most a few MiB of memory per heap.
///
/// An operator who tunes glibc with its own environment variables keeps
/// their values: nothing is changed then.
public enum AllocatorTuning {
    /// `mallopt` options from glibc's `malloc.h`.
    static let trimThreshold: Int32 = -1
    static let topPad: Int32 = -2
    static let mmapThreshold: Int32 = -3

    /// The options to set, or none when the environment already tunes the
    /// allocator.
    public static func options(environment: [String: String]) -> [(option: Int32, value: Int32)] {
        let tuned = environment.keys.contains { $0 == "GLIBC_TUNABLES" || $0.hasPrefix("MALLOC_") }
        guard !tuned else { return [] }
        return [(trimThreshold, 4 << 20), (topPad, 1 << 20), (mmapThreshold, 1 << 20)]
    }

    /// Sets the options; false when an option was refused or this C
    /// library has no `mallopt`.
    @discardableResult
    public static func apply(environment: [String: String]) -> Bool {
        #if canImport(Glibc)
        // `mallopt` is not in the Glibc module's headers; it is found by name.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        return options(environment: environment).allSatisfy { mallopt($0.option, $0.value) == 1 }
        #else
        return false
        #endif
    }
}

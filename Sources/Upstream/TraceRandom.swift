import Synchronization

/// Random bits for trace, span and request ids without a system call.
///
/// `SystemRandomNumberGenerator` asks the kernel for every eight bytes, and
/// each request needs four such numbers: a tenth of the system calls of a
/// small call. Trace ids need to be unique and evenly spread, not secret,
/// so a SplitMix64 sequence over one atomic counter, seeded once from the
/// system, serves every thread without a lock; distinct counter values
/// give distinct outputs, so no two ids of a process repeat.
/// Anything secret (tokens, keys, nonces) keeps using the system generator.
public struct TraceRandom: RandomNumberGenerator {
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    public init() {}

    public mutating func next() -> UInt64 {
        var z = Self.counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

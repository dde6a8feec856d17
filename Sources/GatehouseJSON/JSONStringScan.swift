/// Finds where a run of plain string bytes ends, eight bytes at a time.
///
/// Inside a JSON string only three kinds of byte need attention: the
/// quote, the backslash and the control characters. Upstream answers are
/// mostly long runs of other bytes, and every one of them passes through
/// the parser, the compaction and the writer; testing a 64-bit word at once
/// instead of each byte makes those runs several times cheaper to cross.
///
/// The word tests are the classic "has a zero byte" and "has a byte below
/// n" ones: each subtraction can only flag bytes above a byte it really
/// matched, so the lowest flagged byte is always the first real match, and
/// a word with no match flags nothing.
enum JSONStringScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// A mask whose lowest set bit is the high bit of the first special
    /// byte of `word` (bits above it may be set for bytes that are not);
    /// zero when no byte is special.
    @inline(__always)
    private static func firstSpecials(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A byte's high bit is the same in `word`, `quote` and `backslash`,
        // so one `~word` masks all three tests.
        return ((word &- ones &* 0x20) | (quote &- ones) | (backslash &- ones)) & ~word & highs
    }

    @inline(__always)
    private static func word(at pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// The index of the first quote, backslash or control character in
    /// `base[start..<end]`, or `end` when there is none.
    @inline(__always)
    static func firstSpecial(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var ignored = false
        return firstSpecial(base, from: start, to: end, nonASCII: &ignored)
    }

    /// ``firstSpecial(_:from:to:)``, also setting `nonASCII` when a byte it
    /// crossed is 0x80 or above (the string then needs a UTF-8 check).
    @inline(__always)
    static func firstSpecial(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, nonASCII: inout Bool) -> Int {
        var index = start
        var high: UInt64 = 0
        while end - index >= 8 {
            let word = word(at: base + index)
            let found = firstSpecials(word)
            if found != 0 {
                let offset = found.trailingZeroBitCount >> 3
                // Only the bytes before the match were crossed.
                let crossed = offset == 0 ? 0 : word & (UInt64.max >> (64 - offset * 8))
                if (high | crossed) & highs != 0 { nonASCII = true }
                return index + offset
            }
            high |= word
            index += 8
        }
        if high & highs != 0 { nonASCII = true }
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            if byte >= 0x80 { nonASCII = true }
            index += 1
        }
        return end
    }
}

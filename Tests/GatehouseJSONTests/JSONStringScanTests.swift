import Testing

@testable import GatehouseJSON

/// The word-at-a-time scan must find exactly the byte a byte-by-byte scan
/// finds, wherever it sits in a word, and see every byte above ASCII it
/// crosses and none it does not.
@Suite struct JSONStringScanTests {
    /// The byte-by-byte answer the scan must agree with.
    static func reference(_ bytes: [UInt8], from start: Int) -> (index: Int, nonASCII: Bool) {
        var nonASCII = false
        for index in start..<bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return (index, nonASCII) }
            if byte >= 0x80 { nonASCII = true }
        }
        return (bytes.count, nonASCII)
    }

    static func scan(_ bytes: [UInt8], from start: Int) -> (index: Int, nonASCII: Bool) {
        bytes.withUnsafeBufferPointer { buffer in
            var nonASCII = false
            let index = JSONStringScan.firstSpecial(buffer.baseAddress!, from: start, to: buffer.count, nonASCII: &nonASCII)
            return (index, nonASCII)
        }
    }

    @Test func everySpecialByteIsFoundAtEveryPositionOfAWord() {
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x0A, 0x1F]
        // Neighbours of the specials, which a wrong mask would also flag.
        let plains: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF, UInt8(ascii: "a")]
        for length in 1...24 {
            for plain in plains {
                for position in 0..<length {
                    for special in specials {
                        var bytes = [UInt8](repeating: plain, count: length)
                        bytes[position] = special
                        for start in 0...position {
                            let found = Self.scan(bytes, from: start)
                            let expected = Self.reference(bytes, from: start)
                            #expect(found.index == expected.index, "length \(length), \(plain) with \(special) at \(position)")
                            #expect(found.nonASCII == expected.nonASCII, "length \(length), \(plain) with \(special) at \(position)")
                        }
                    }
                }
                #expect(Self.scan([UInt8](repeating: plain, count: length), from: 0) == (length, plain >= 0x80))
            }
        }
    }

    @Test func aByteAboveASCIIAfterTheMatchIsNotCounted() {
        // The match is in the same word as the high byte, but before it.
        let bytes: [UInt8] = [UInt8(ascii: "a"), 0x22, 0xC3, 0xA9, UInt8(ascii: "b"), 0x20, 0x20, 0x20, 0x20]
        #expect(Self.scan(bytes, from: 0) == (1, false))
        #expect(Self.scan(bytes, from: 2) == (9, true))
    }

    @Test func randomBytesAgreeWithTheByteByByteScan() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...80, using: &generator)
            // Mostly plain bytes, so runs are long enough to cross words.
            let bytes = (0..<length).map { _ -> UInt8 in
                Int.random(in: 0..<16, using: &generator) == 0
                    ? [0x22, 0x5C, 0x01, 0x1F][Int.random(in: 0..<4, using: &generator)]
                    : UInt8.random(in: 0x20...0xFF, using: &generator)
            }
            var start = 0
            while start < length {
                let found = Self.scan(bytes, from: start)
                #expect(found == Self.reference(bytes, from: start), "\(bytes) from \(start)")
                start = found.index + 1
            }
        }
    }
}

/// Hexadecimal digits as JSON's `\uXXXX` escapes read and write them,
/// shared by the parser, the compaction and the writer.
enum JSONHex {
    static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The value of one hex digit, or nil.
    @inline(__always) static func digit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The four hex digits at `position` as a number, or nil when there
    /// are not four or one is not a hex digit.
    static func value(of bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = digit(bytes[position + offset]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }
}

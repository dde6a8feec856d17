/// Checks that bytes are one JSON document and copies it without the
/// whitespace between tokens, in one pass and without building values.
///
/// An upstream answer a tool passes on unshaped only needs to be known to
/// be JSON and made compact; parsing it into values and writing them again
/// costs an allocation per object, array and string, which for answers of
/// tens of kilobytes is most of the gateway's work on the call. The rules
/// are ``JSONParser``'s (RFC 8259, valid UTF-8, no lone surrogates, a
/// bounded depth), but for one: see below. Strings come
/// out as ``JSONWriter`` would write them (escapes such as `\u00e9` become
/// the character); numbers are copied as written, so `1.50` stays `1.50`
/// and integers beyond 64 bits keep every digit.
///
/// Names are not checked for repeats: a document with a name twice in one
/// object is passed on as written (RFC 8259 allows it), where
/// ``JSONParser``, which must pick one value, refuses it.
public enum JSONCompaction {
    /// The document without insignificant whitespace, or nil when the bytes
    /// are not one valid JSON document.
    public static func compacted(_ bytes: [UInt8], maximumDepth: Int = JSONParser.defaultMaximumDepth) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { input in
            var compactor = Compactor<[UInt8]>(input: input, output: [], maximumDepth: maximumDepth)
            compactor.output.reserveCapacity(input.count)
            return compactor.document() ? compactor.output : nil
        }
    }
}

extension JSONCompaction {
    /// ``compacted(_:maximumDepth:)`` as text, written straight into the
    /// string's own storage: an answer passed on whole becomes text anyway,
    /// and copying a long one from an array into a string held it twice.
    public static func compactedText(_ bytes: [UInt8], maximumDepth: Int = JSONParser.defaultMaximumDepth) -> String? {
        var outcome = Outcome.invalid
        let text = bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: input.count) { storage in
                var compactor = Compactor(input: input, output: BoundedOutput(storage: storage), maximumDepth: maximumDepth)
                guard compactor.document() else { return 0 }
                guard !compactor.output.overflowed else {
                    outcome = .longer
                    return 0
                }
                outcome = .written
                return compactor.output.count
            }
        }
        switch outcome {
        case .written: return text
        // `\b` and `\f` are written as `\u0008` and `\u000c`, longer than
        // the input: rare enough to take the array's way.
        case .longer: return compacted(bytes, maximumDepth: maximumDepth).map { String(decoding: $0, as: UTF8.self) }
        case .invalid: return nil
        }
    }

    private enum Outcome { case written, longer, invalid }
}

/// Where the compactor puts what it copies: an array, or nowhere when it
/// only checks a value it skips (``JSONProjection``).
protocol CompactorOutput {
    mutating func append(_ byte: UInt8)
    mutating func append<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes)
}

extension Array: CompactorOutput where Element == UInt8 {}

/// Drops everything: the compactor then checks a value and moves past it.
struct DiscardedOutput: CompactorOutput {
    @inline(__always) mutating func append(_ byte: UInt8) {}
    @inline(__always) mutating func append<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes) {}
}

/// A fixed buffer, for text written in place; notes when it was too small.
struct BoundedOutput: CompactorOutput {
    let storage: UnsafeMutableBufferPointer<UInt8>
    var count = 0
    var overflowed = false

    @inline(__always) mutating func append(_ byte: UInt8) {
        guard count < storage.count else {
            overflowed = true
            return
        }
        storage[count] = byte
        count += 1
    }

    @inline(__always) mutating func append<Bytes: Sequence<UInt8>>(contentsOf bytes: Bytes) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { run in
            guard !run.isEmpty else { return }
            guard run.count <= storage.count - count else {
                overflowed = true
                return
            }
            if let source = run.baseAddress { (storage.baseAddress! + count).update(from: source, count: run.count) }
            count += run.count
        }
        if copied == nil {
            for byte in bytes { append(byte) }
        }
    }
}

/// Generic over its output so that checking without copying is the same
/// code, specialised to nothing.
struct Compactor<Output: CompactorOutput> {
    let input: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var index: Int
    var depth: Int
    var output: Output
    /// Whether a string held a byte outside ASCII: then the whole input is
    /// checked to be UTF-8 once at the end.
    var sawNonASCII = false

    init(input: UnsafeBufferPointer<UInt8>, output: Output, maximumDepth: Int, index: Int = 0, depth: Int = 0) {
        self.input = input
        self.output = output
        self.maximumDepth = maximumDepth
        self.index = index
        self.depth = depth
    }

    mutating func document() -> Bool {
        skipWhitespace()
        guard value() else { return false }
        skipWhitespace()
        guard index == input.count else { return false }
        return !sawNonASCII || String(validating: input, as: UTF8.self) != nil
    }

    @inline(__always) mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func value() -> Bool {
        guard index < input.count else { return false }
        switch input[index] {
        case UInt8(ascii: "{"): return collection(close: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): return collection(close: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard input.count - index >= count else { return false }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where input[index + offset] != expected[offset] { return false }
        output.append(contentsOf: expected)
        index += count
        return true
    }

    /// An object or an array: its members, each a key and a value or a
    /// value, separated by commas.
    mutating func collection(close: UInt8, keyed: Bool) -> Bool {
        depth += 1
        guard depth <= maximumDepth else { return false }
        defer { depth -= 1 }
        output.append(input[index])
        index += 1
        skipWhitespace()
        if index < input.count, input[index] == close {
            index += 1
            output.append(close)
            return true
        }
        while true {
            if keyed {
                guard index < input.count, input[index] == UInt8(ascii: "\""), string() else { return false }
                skipWhitespace()
                guard index < input.count, input[index] == UInt8(ascii: ":") else { return false }
                index += 1
                output.append(UInt8(ascii: ":"))
                skipWhitespace()
            }
            guard value() else { return false }
            skipWhitespace()
            guard index < input.count else { return false }
            if input[index] == close {
                index += 1
                output.append(close)
                return true
            }
            guard input[index] == UInt8(ascii: ",") else { return false }
            index += 1
            output.append(UInt8(ascii: ","))
            skipWhitespace()
        }
    }

    /// A string, checked and copied; escapes are written the way
    /// ``JSONWriter`` writes the character they stand for (`\u00e9` → `é`,
    /// `\/` → `/`), so text reads the same whichever path it took.
    mutating func string() -> Bool {
        output.append(UInt8(ascii: "\""))
        index += 1
        var runStart = index
        guard let base = input.baseAddress else { return false }
        while index < input.count {
            index = JSONStringScan.firstSpecial(base, from: index, to: input.count, nonASCII: &sawNonASCII)
            guard index < input.count else { return false }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                flush(from: runStart)
                output.append(UInt8(ascii: "\""))
                index += 1
                return true
            }
            if byte == UInt8(ascii: "\\") {
                flush(from: runStart)
                guard escape() else { return false }
                runStart = index
                continue
            }
            return false  // a control character
        }
        return false
    }

    /// Copies the plain bytes from `start` up to the current index.
    @inline(__always) mutating func flush(from start: Int) {
        if start < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index])) }
    }

    /// One escape after a backslash, written in the writer's form;
    /// `\u` surrogates must come in pairs.
    mutating func escape() -> Bool {
        guard index + 1 < input.count else { return false }
        let letter = input[index + 1]
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            output.append(UInt8(ascii: "\\"))
            output.append(letter)
            index += 2
            return true
        case UInt8(ascii: "/"):
            output.append(letter)
            index += 2
            return true
        case UInt8(ascii: "b"):
            writeScalar(0x08)
            index += 2
            return true
        case UInt8(ascii: "f"):
            writeScalar(0x0C)
            index += 2
            return true
        case UInt8(ascii: "u"):
            guard let unit = JSONHex.value(of: input, at: index + 2) else { return false }
            index += 6
            if (0xDC00...0xDFFF).contains(unit) { return false }
            guard (0xD800...0xDBFF).contains(unit) else {
                writeScalar(unit)
                return true
            }
            guard index + 1 < input.count, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u"),
                let low = JSONHex.value(of: input, at: index + 2), (0xDC00...0xDFFF).contains(low)
            else { return false }
            index += 6
            writeScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            return true
        default:
            return false
        }
    }

    /// A character as ``JSONWriter`` writes it inside a string.
    mutating func writeScalar(_ value: UInt32) {
        switch value {
        case 0x22, 0x5C:
            output.append(UInt8(ascii: "\\"))
            output.append(UInt8(truncatingIfNeeded: value))
        case 0x0A:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            output.append(contentsOf: [
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), JSONHex.lowercaseDigits[Int(value >> 4)],
                JSONHex.lowercaseDigits[Int(value & 0xF)],
            ])
        default:
            if let scalar = Unicode.Scalar(value) { output.append(contentsOf: UTF8.encode(scalar)!) }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, copied.
    mutating func number() -> Bool {
        let start = index
        if input[index] == UInt8(ascii: "-") { index += 1 }
        guard index < input.count else { return false }
        if input[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() else { return false }
        }
        if index < input.count, input[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() else { return false }
        }
        if index < input.count, input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            index += 1
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return false }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
        return true
    }

    /// One or more digits.
    mutating func digits() -> Bool {
        let start = index
        while index < input.count, input[index] >= UInt8(ascii: "0"), input[index] <= UInt8(ascii: "9") { index += 1 }
        return index > start
    }
}

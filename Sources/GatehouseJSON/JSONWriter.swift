/// Serialises ``JSONValue``s to compact UTF-8 JSON.
///
/// Appends to a caller-owned buffer so a response can be assembled from
/// pre-encoded pieces (the catalog keeps each tool's JSON ready) without
/// intermediate strings.
public struct JSONWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInteger(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in array {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, element) in object {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(element)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends bytes that are already valid JSON.
    public mutating func writeRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    public mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    public mutating func writeInteger(_ value: Int64) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            append("null")
            return
        }
        if value.rounded() == value, abs(value) < 1e15 {
            writeInteger(Int64(value))
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Per byte: 0 when it stands for itself in a JSON string, else the
    /// letter after the backslash (`u` for `\u00XX`).
    private static let escapes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in 0..<0x20 { table[byte] = UInt8(ascii: "u") }
        table[0x22] = UInt8(ascii: "\"")
        table[0x5C] = UInt8(ascii: "\\")
        table[0x0A] = UInt8(ascii: "n")
        table[0x0D] = UInt8(ascii: "r")
        table[0x09] = UInt8(ascii: "t")
        return table
    }()

    /// Writes a string with its quotes and escapes. The escaped length is
    /// counted first, so the bytes are written once, in place, runs of
    /// plain bytes found eight at a time (``JSONStringScan``) and copied
    /// whole: a tool's answer of tens of kilobytes, full of quotes when it
    /// is JSON itself, is escaped into the JSON-RPC response on every call.
    public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            guard let source = utf8.baseAddress, !utf8.isEmpty else {
                bytes.append(UInt8(ascii: "\""))
                bytes.append(UInt8(ascii: "\""))
                return
            }
            let count = utf8.count
            Self.escapes.withUnsafeBufferPointer { table in
                var extra = 0
                var index = JSONStringScan.firstSpecial(source, from: 0, to: count)
                let firstEscape = index
                while index < count {
                    extra += table[Int(source[index])] == UInt8(ascii: "u") ? 5 : 1
                    index = JSONStringScan.firstSpecial(source, from: index + 1, to: count)
                }
                let start = bytes.count
                let needed = start + count + extra + 2
                if bytes.capacity < needed {
                    // Room for what usually follows (closing brackets, a
                    // few members), still growing geometrically.
                    bytes.reserveCapacity(Swift.max(needed + 256, bytes.capacity * 2))
                }
                bytes.append(contentsOf: repeatElement(0, count: count + extra + 2))
                bytes.withUnsafeMutableBufferPointer { out in
                    let base = out.baseAddress! + start
                    var position = 0
                    base[position] = UInt8(ascii: "\"")
                    position += 1
                    var runStart = 0
                    var index = firstEscape
                    while index < count {
                        let run = index - runStart
                        if run > 0 { (base + position).update(from: source + runStart, count: run) }
                        position += run
                        let byte = source[index]
                        let escape = table[Int(byte)]
                        base[position] = UInt8(ascii: "\\")
                        base[position + 1] = escape
                        position += 2
                        if escape == UInt8(ascii: "u") {
                            base[position] = UInt8(ascii: "0")
                            base[position + 1] = UInt8(ascii: "0")
                            base[position + 2] = JSONHex.lowercaseDigits[Int(byte >> 4)]
                            base[position + 3] = JSONHex.lowercaseDigits[Int(byte & 0xF)]
                            position += 4
                        }
                        runStart = index + 1
                        index = JSONStringScan.firstSpecial(source, from: runStart, to: count)
                    }
                    let tail = count - runStart
                    if tail > 0 { (base + position).update(from: source + runStart, count: tail) }
                    position += tail
                    base[position] = UInt8(ascii: "\"")
                }
            }
        }
    }
}

extension JSONValue {
    /// Compact UTF-8 JSON.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Compact JSON text.
    public var jsonString: String {
        String(decoding: jsonBytes, as: UTF8.self)
    }
}

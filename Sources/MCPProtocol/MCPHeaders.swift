import Foundation
import HTTPTypes

extension HTTPField.Name {
    public static let mcpSessionID = HTTPField.Name("Mcp-Session-Id")!
    public static let mcpProtocolVersion = HTTPField.Name("MCP-Protocol-Version")!
    public static let mcpMethod = HTTPField.Name("Mcp-Method")!
    public static let mcpName = HTTPField.Name("Mcp-Name")!
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
}

/// Reading the request headers the transport rules look at.
extension HTTPFields {
    /// Which response types the client accepts. A missing header, `*/*` or
    /// `application/*` all count as JSON: Claude's probes send `*/*`.
    var acceptance: (json: Bool, eventStream: Bool) {
        guard var accept = self[.accept], !accept.isEmpty else { return (true, true) }
        // This runs on every request: one pass over the bytes, no allocation.
        return accept.withUTF8 { Self.acceptance(of: $0) }
    }

    static func acceptance(of bytes: UnsafeBufferPointer<UInt8>) -> (json: Bool, eventStream: Bool) {
        var json = false
        var eventStream = false
        var itemStart = 0
        while itemStart <= bytes.count {
            var itemEnd = itemStart
            while itemEnd < bytes.count, bytes[itemEnd] != UInt8(ascii: ",") { itemEnd += 1 }
            var typeEnd = itemStart
            while typeEnd < itemEnd, bytes[typeEnd] != UInt8(ascii: ";") { typeEnd += 1 }
            if !hasZeroQuality(bytes, from: typeEnd, to: itemEnd) {
                let type = trimmed(bytes, from: itemStart, to: typeEnd)
                if matches(bytes, type, "application/json") || matches(bytes, type, "application/*") {
                    json = true
                } else if matches(bytes, type, "text/event-stream") || matches(bytes, type, "text/*") {
                    eventStream = true
                } else if matches(bytes, type, "*/*") {
                    json = true
                    eventStream = true
                }
            }
            itemStart = itemEnd + 1
        }
        return (json, eventStream)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Range<Int> {
        var start = start
        var end = end
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// ASCII case-insensitive comparison with a lowercase constant.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ constant: StaticString) -> Bool {
        guard range.count == constant.utf8CodeUnitCount else { return false }
        let expected = constant.utf8Start
        for offset in 0..<range.count {
            let byte = bytes[range.lowerBound + offset]
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lowered != expected[offset] { return false }
        }
        return true
    }

    /// Whether the parameters (`;q=0`, `; q = 0.000` …) refuse the type.
    private static func hasZeroQuality(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var position = start
        while position < end {
            // Skip the `;` and spaces, then read one `name=value` parameter.
            position += 1
            while position < end, isSpace(bytes[position]) { position += 1 }
            guard position < end else { return false }
            let isQuality = bytes[position] | 0x20 == UInt8(ascii: "q")
            position += 1
            while position < end, isSpace(bytes[position]) { position += 1 }
            guard position < end, bytes[position] == UInt8(ascii: "=") else {
                while position < end, bytes[position] != UInt8(ascii: ";") { position += 1 }
                continue
            }
            position += 1
            var value = position
            while position < end, bytes[position] != UInt8(ascii: ";") { position += 1 }
            if isQuality {
                let range = trimmed(bytes, from: value, to: position)
                value = range.lowerBound
                guard value < range.upperBound, bytes[value] == UInt8(ascii: "0") else { continue }
                value += 1
                if value == range.upperBound { return true }
                guard bytes[value] == UInt8(ascii: ".") else { continue }
                value += 1
                while value < range.upperBound, bytes[value] == UInt8(ascii: "0") { value += 1 }
                if value == range.upperBound { return true }
            }
        }
        return false
    }

    /// Decodes the `=?base64?…?=` sentinel the 2026-07-28 transport uses for
    /// header values that are not plain ASCII.
    static func decodeSentinel(_ value: String) -> String? {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let inner = value.dropFirst("=?base64?".count).dropLast(2)
        guard let data = Data(base64Encoded: String(inner)) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

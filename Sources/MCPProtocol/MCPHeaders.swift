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
        guard let accept = self[.accept], !accept.isEmpty else { return (true, true) }
        var json = false
        var eventStream = false
        // Read byte by byte: this runs on every request.
        for item in accept.utf8.split(separator: UInt8(ascii: ",")) {
            let parts = item.split(separator: UInt8(ascii: ";"))
            guard let first = parts.first else { continue }
            if parts.dropFirst().contains(where: Self.isZeroQuality) { continue }
            switch Self.lowercasedTrimmed(first) {
            case "application/json", "application/*": json = true
            case "text/event-stream", "text/*": eventStream = true
            case "*/*": json = true; eventStream = true
            default: continue
            }
        }
        return (json, eventStream)
    }

    static func lowercasedTrimmed(_ bytes: Substring.UTF8View.SubSequence) -> String {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start = bytes.index(after: start) }
        while end > start, bytes[bytes.index(before: end)] == UInt8(ascii: " ") || bytes[bytes.index(before: end)] == UInt8(ascii: "\t") {
            end = bytes.index(before: end)
        }
        return String(decoding: bytes[start..<end].lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `q=0`, `q=0.0` … with any spacing: the client refuses the type.
    static func isZeroQuality(_ parameter: Substring.UTF8View.SubSequence) -> Bool {
        let compact = parameter.filter { $0 != UInt8(ascii: " ") }
        guard compact.count >= 3, compact[0] | 0x20 == UInt8(ascii: "q"), compact[1] == UInt8(ascii: "="),
            compact[2] == UInt8(ascii: "0")
        else { return false }
        let rest = compact.dropFirst(3)
        guard let dot = rest.first else { return true }
        return dot == UInt8(ascii: ".") && rest.dropFirst().allSatisfy { $0 == UInt8(ascii: "0") }
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

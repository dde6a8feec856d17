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
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";")
            let type = parts.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let refused = parts.dropFirst().contains {
                let p = $0.replacingOccurrences(of: " ", with: "")
                return p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            }
            if refused { continue }
            switch type {
            case "application/json", "application/*": json = true
            case "text/event-stream", "text/*": eventStream = true
            case "*/*": json = true; eventStream = true
            default: continue
            }
        }
        return (json, eventStream)
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

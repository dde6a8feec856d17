/// The protocol revisions this server speaks, by era.
public enum ProtocolVersion {
    /// Versions with per-request `_meta` and no handshake.
    public static let modern: [String] = ["2026-07-28"]
    /// Versions negotiated by `initialize`, newest first.
    public static let legacy: [String] = ["2025-11-25", "2025-06-18", "2025-03-26"]
    public static let latestLegacy = "2025-11-25"
    /// A request without the header is treated as this version, as the
    /// 2025-06-18 revision allows for clients predating the header.
    public static let assumedWithoutHeader = "2025-03-26"

    public static func isKnown(_ version: String) -> Bool {
        modern.contains(version) || legacy.contains(version)
    }

    /// Legacy versions with URL-mode elicitation and its `-32042` error.
    public static func hasURLElicitation(_ version: String) -> Bool {
        version == "2025-11-25"
    }

    /// The version a legacy `initialize` settles on: the client's when we
    /// speak it, otherwise our newest legacy one.
    public static func negotiate(requested: String?) -> String {
        if let requested, legacy.contains(requested) { return requested }
        return latestLegacy
    }
}

/// Which protocol era a request belongs to.
public enum ProtocolEra: String, Sendable {
    case legacy
    case modern
}

/// The reserved `_meta` keys of the 2026-07-28 revision.
enum MetaKey {
    static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
    static let clientInfo = "io.modelcontextprotocol/clientInfo"
    static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfo = "io.modelcontextprotocol/serverInfo"
    static let subscriptionID = "io.modelcontextprotocol/subscriptionId"
}

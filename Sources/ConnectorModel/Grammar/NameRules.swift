/// The names a connector file gives things, each rule written once for the
/// decoder, the OpenAPI importer and the protocol.
public enum NameRules {
    /// The longest connector, tool, parameter or argument name.
    public static let maximumLength = 64

    /// `connector:` names: letters, digits, `_` and `-`; they name files and
    /// metrics, so no dots.
    public static func isConnectorName(_ name: String) -> Bool {
        isName(name) { isASCIIAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// MCP tool names: `[A-Za-z0-9_.-]`, 1 to 64 characters.
    public static func isToolName(_ name: String) -> Bool {
        isName(name, allowing: isNameByte)
    }

    /// Parameter and argument names double as placeholder names, so they
    /// follow the tool-name rule.
    public static func isParameterName(_ name: String) -> Bool {
        isName(name, allowing: isNameByte)
    }

    /// Tool tags, which endpoint files select by: the tool-name rule.
    public static func isTag(_ name: String) -> Bool {
        isName(name, allowing: isNameByte)
    }

    /// Endpoint names become a path segment (`/mcp/NAME`): lower-case
    /// letters, digits, `_` and `-`.
    public static func isEndpointName(_ name: String) -> Bool {
        isName(name) { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    /// `[A-Za-z0-9_.-]`.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        isASCIIAlphanumeric(byte) || byte == 0x5F || byte == 0x2E || byte == 0x2D
    }

    @inline(__always)
    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isName(_ name: String, allowing allowed: (UInt8) -> Bool) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumLength && name.utf8.allSatisfy(allowed)
    }
}

import Foundation

/// Which redirect URIs a client may register: https anywhere, or http on a
/// loopback address (a native app's local listener), never with a fragment;
/// and, on top, the operator's allow-list, which by default admits Claude's
/// callbacks and any loopback redirect.
public struct RedirectURIPolicy: Sendable {
    /// Exact URIs, or patterns ending in `*` that match any suffix, e.g.
    /// `https://claude.ai/api/mcp/auth_callback`, `http://127.0.0.1:*`.
    public var allowed: [String]

    public static let defaultAllowed = [
        "https://claude.ai/api/mcp/auth_callback",
        "https://claude.com/api/mcp/auth_callback",
        "http://127.0.0.1:*",
        "http://localhost:*",
        "http://[::1]:*",
    ]

    public init(allowed: [String] = RedirectURIPolicy.defaultAllowed) {
        self.allowed = allowed
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case insecure(String)
        case fragment(String)
        case notAllowed(String)

        public var description: String {
            switch self {
            case .malformed(let uri): "redirect URI \(uri) is not an absolute URI"
            case .insecure(let uri): "redirect URI \(uri) must use https, or http on a loopback address"
            case .fragment(let uri): "redirect URI \(uri) must not have a fragment"
            case .notAllowed(let uri): "redirect URI \(uri) is not on this server's allow-list"
            }
        }
    }

    public func check(_ uri: String) throws(Refusal) {
        guard uri.utf8.count <= 2000, let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw .malformed(uri) }
        guard components.fragment == nil else { throw .fragment(uri) }
        switch scheme {
        case "https": break
        case "http": guard Self.isLoopback(host: host) else { throw .insecure(uri) }
        default: throw .insecure(uri)
        }
        guard allowed.contains(where: { Self.matches(uri, pattern: $0) }) else { throw .notAllowed(uri) }
    }

    static func matches(_ uri: String, pattern: String) -> Bool {
        if pattern.hasSuffix("*") { return uri.hasPrefix(pattern.dropLast()) }
        return uri == pattern
    }

    public static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

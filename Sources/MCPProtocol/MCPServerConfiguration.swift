/// How the MCP endpoint presents itself and which requests it accepts.
public struct MCPServerConfiguration: Sendable {
    public var serverName: String
    public var serverVersion: String
    public var serverTitle: String?
    public var instructions: String?
    /// Tools per `tools/list` page.
    public var pageSize: Int
    /// `ttlMs` on cacheable 2026-07-28 results: short, so clients that poll
    /// see reloaded tools soon.
    public var listTTLMilliseconds: Int
    public var originPolicy: OriginPolicy
    public var sessionSigner: SessionSigner
    /// Whether tools/list_changed can reach clients.
    public var listChangedNotifications: Bool
    /// The `WWW-Authenticate` value for a call refused for lack of scopes;
    /// set when the endpoint is protected by OAuth.
    public var insufficientScopeChallenge: (@Sendable ([String]) -> String)?
    /// How long a legacy call waits for the user to answer a confirmation.
    public var confirmationTimeout: Duration = .seconds(300)
    /// `ttlMs` on tool lists for a while after they changed: clients that
    /// cached the old list come back soon, and edits in quick succession
    /// reach them quickly.
    public var listTTLAfterChangeMilliseconds = 1_000

    public init(
        serverName: String = "gatehouse", serverVersion: String, serverTitle: String? = "Gatehouse",
        instructions: String? = nil, pageSize: Int = 200, listTTLMilliseconds: Int = 10_000,
        originPolicy: OriginPolicy = OriginPolicy(), sessionSigner: SessionSigner = .random(),
        listChangedNotifications: Bool = false, insufficientScopeChallenge: (@Sendable ([String]) -> String)? = nil
    ) {
        self.serverName = serverName
        self.serverVersion = serverVersion
        self.serverTitle = serverTitle
        self.instructions = instructions
        self.pageSize = min(max(1, pageSize), 10_000)
        self.listTTLMilliseconds = max(0, listTTLMilliseconds)
        self.originPolicy = originPolicy
        self.sessionSigner = sessionSigner
        self.listChangedNotifications = listChangedNotifications
        self.insufficientScopeChallenge = insufficientScopeChallenge
    }
}

/// Which browser origins may call the endpoint (DNS-rebinding protection).
///
/// Requests without an `Origin` header (servers, CLIs, Claude's cloud) pass.
/// Loopback origins pass by default so local inspectors work.
public struct OriginPolicy: Sendable {
    public var allowed: Set<String>
    public var allowLoopback: Bool
    public var allowAny: Bool

    public init(allowed: [String] = [], allowLoopback: Bool = true, allowAny: Bool = false) {
        self.allowed = Set(allowed.map { Self.normalise($0) })
        self.allowLoopback = allowLoopback
        self.allowAny = allowAny || allowed.contains("*")
    }

    public func allows(_ origin: String?) -> Bool {
        guard let origin else { return true }
        if allowAny { return true }
        let normalised = Self.normalise(origin)
        if allowed.contains(normalised) { return true }
        if allowLoopback, let host = Self.host(of: normalised) {
            return host == "localhost" || host == "127.0.0.1" || host == "[::1]"
        }
        return false
    }

    static func normalise(_ origin: String) -> String {
        var text = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    static func host(of origin: String) -> String? {
        guard let schemeEnd = origin.range(of: "://") else { return nil }
        let authority = origin[schemeEnd.upperBound...]
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[...close])
        }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }
}

import Foundation

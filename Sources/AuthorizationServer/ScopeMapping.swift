import GatehouseJSON

/// Which scopes a signed-in user gets, from the claims of their identity
/// provider's ID token: `groups: [support] → tickets:write` grants
/// `tickets:write` to members of `support`.
public struct ScopeMapping: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        /// The claim to look at, e.g. `groups` or `roles`.
        public var claim: String
        /// Any of these values (or the claim's only value) grants the scopes.
        public var values: [String]
        public var scopes: [String]

        public init(claim: String, values: [String], scopes: [String]) {
            self.claim = claim
            self.values = values
            self.scopes = scopes
        }
    }

    /// Scopes every signed-in user gets.
    public var baseScopes: [String]
    public var rules: [Rule]

    public init(baseScopes: [String] = [], rules: [Rule] = []) {
        self.baseScopes = baseScopes
        self.rules = rules
    }

    /// The user's scopes, in a stable order: base scopes, then each rule's.
    public func scopes(for claims: JSONObject) -> [String] {
        var granted = baseScopes
        for rule in rules where Self.claim(claims[rule.claim], containsAnyOf: rule.values) {
            for scope in rule.scopes where !granted.contains(scope) { granted.append(scope) }
        }
        return granted
    }

    /// What a client asked for, cut down to what the user may have; asking
    /// for nothing means everything the user may have.
    public func grant(requested: [String], for claims: JSONObject) -> [String] {
        let allowed = scopes(for: claims)
        guard !requested.isEmpty else { return allowed }
        return requested.filter(allowed.contains)
    }

    static func claim(_ value: JSONValue?, containsAnyOf values: [String]) -> Bool {
        switch value {
        case .string(let text): values.contains(text)
        case .array(let items): items.contains { item in item.stringValue.map(values.contains) ?? false }
        default: false
        }
    }
}

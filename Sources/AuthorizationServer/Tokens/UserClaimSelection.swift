import GatehouseJSON

/// Which of the signed-in user's claims an access token carries.
///
/// A grant keeps the user's claims from the ID token (``keptAtSignIn(from:)``);
/// each access token, issued or refreshed, copies only what is in use at
/// that moment: the email and name (`{{ user.email }}`, `{{ user.name }}`),
/// the claims the connector files read through `{{ user.claims.NAME }}`,
/// and of the claims the scope mapping looks at only the values it names.
/// A user in hundreds of groups so gets a token that fits in a request
/// header, and a connector file that starts reading another claim gets it
/// in the next token, without the user signing in again.
public struct UserClaimSelection: Sendable {
    /// Read by `{{ user.email }}` and `{{ user.name }}`; always small.
    static let identity = ["email", "email_verified", "name", "preferred_username"]

    /// Claims about the ID token itself rather than the user; a grant does
    /// not keep them.
    static let protocolClaims: Set<String> = [
        "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "nonce", "at_hash", "c_hash", "s_hash", "auth_time", "azp",
        "sid", "acr", "amr", "typ", "scope", "scp", "client_id", "cnf", "session_state",
    ]

    public var scopeMapping: ScopeMapping
    /// The claim names `{{ user.claims.NAME }}` placeholders use now.
    public var placeholderClaims: Set<String>

    public init(scopeMapping: ScopeMapping = ScopeMapping(), placeholderClaims: Set<String> = []) {
        self.scopeMapping = scopeMapping
        self.placeholderClaims = placeholderClaims
    }

    /// What a grant keeps of a verified ID token: every claim about the
    /// user, and `email_verified` as a plain boolean that is true only when
    /// the provider said so (absent counts as not verified).
    public static func keptAtSignIn(from idToken: JSONObject) -> JSONObject {
        var kept: JSONObject = [:]
        for (name, value) in idToken where !protocolClaims.contains(name) { kept[name] = value }
        if kept["email"] != nil {
            let verified: Bool
            switch idToken["email_verified"] {
            case .bool(let flag)?: verified = flag
            case .string(let text)?: verified = text.lowercased() == "true"
            default: verified = false
            }
            kept["email_verified"] = .bool(verified)
        } else {
            kept.removeValue(forKey: "email_verified")
        }
        return kept
    }

    /// The claims to copy into an access token from those a grant kept.
    public func select(from kept: JSONObject) -> JSONObject {
        var selected: JSONObject = [:]
        for name in Self.identity { if let value = kept[name] { selected[name] = value } }
        for name in placeholderClaims { if let value = kept[name] { selected[name] = value } }
        var named: [String: Set<String>] = [:]
        for rule in scopeMapping.rules where !placeholderClaims.contains(rule.claim) {
            named[rule.claim, default: []].formUnion(rule.values)
        }
        for (claim, values) in named {
            switch kept[claim] {
            case .string(let single)? where values.contains(single):
                selected[claim] = .string(single)
            case .array(let items)?:
                let matching = items.filter { $0.stringValue.map(values.contains) ?? false }
                if !matching.isEmpty { selected[claim] = .array(matching) }
            default:
                break
            }
        }
        return selected
    }
}

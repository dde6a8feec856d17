import GatehouseJSON
import OrderedCollections

/// Who is calling: what a verified token says about the person behind a
/// request. The resource server establishes it, the protocol layer carries
/// it to the tool layer, and connector templates read it.
///
/// Templates reach it through `{{ user.sub }}`, `{{ user.email }}`,
/// `{{ user.name }}` and `{{ user.claims.NAME }}`. Without authentication the
/// caller is ``anonymous`` and such placeholders render as absent.
public struct CallerIdentity: Sendable {
    public var subject: String?
    public var email: String?
    public var name: String?
    public var claims: JSONObject
    public var scopes: Set<String>
    /// The token carried an email address its issuer had not verified,
    /// withheld from `email` and `claims`; lets a tool that needs
    /// `{{ user.email }}` say why it is missing.
    public var emailUnverified: Bool
    /// The token the caller presented, kept for one purpose: to be
    /// exchanged for a token meant for an API (`token_exchange`,
    /// `on_behalf_of`). It is never sent to an API itself.
    public var presentedToken: PresentedToken?
    /// The token's audiences (`aud`), when the verifier read them; each
    /// endpoint accepts only tokens meant for it.
    public var audiences: [String]?

    public init(
        subject: String? = nil, email: String? = nil, name: String? = nil, claims: JSONObject = [:], scopes: Set<String> = [],
        emailUnverified: Bool = false
    ) {
        self.subject = subject
        self.email = email
        self.name = name
        self.claims = claims
        self.scopes = scopes
        self.emailUnverified = emailUnverified
    }

    public static let anonymous = CallerIdentity()
}

/// Which token a verifier checks, so every refusal names it: an access
/// token presented at the MCP endpoint, or an ID token the identity
/// provider returned to the built-in authorization server. The two differ
/// in where they come from, and so in how much the verifier trusts their
/// size and their key ids.
public enum TokenKind: Sendable, Equatable {
    /// Presented by a caller in `Authorization: Bearer`.
    case accessToken
    /// Received server to server from the provider's token endpoint.
    case idToken

    /// How the token is named in error texts.
    public var name: String {
        switch self {
        case .accessToken: "access token"
        case .idToken: "ID token"
        }
    }

    /// The largest header or payload section accepted, before base64url
    /// decoding. Access tokens arrive in a request header on every call and
    /// are kept small (the built-in server copies only the claims in use);
    /// ID tokens carry the provider's full profile of the user, hundreds of
    /// groups included, and arrive only once per sign-in.
    public var maximumSectionBytes: Int {
        switch self {
        case .accessToken: 16 * 1024
        case .idToken: 64 * 1024
        }
    }
}

import ConnectorModel
import TokenGrants

/// Turns a connector's OAuth client settings into the endpoints to call,
/// discovering them from the issuer when the file names one.
struct OAuthClientResolver: Sendable {
    let discovery: IssuerDiscovery

    func tokenClient(_ settings: OAuthClientSettings) async throws(GrantFailure) -> TokenClient {
        let tokenURL: String
        switch settings.endpoint {
        case .tokenURL(let url): tokenURL = url
        case .issuer(let issuer): tokenURL = try await discovery.endpoints(issuer: issuer).token
        }
        return TokenClient(
            tokenURL: tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
            authentication: settings.authentication == .post ? .post : .basic)
    }

    /// Where browsers go to authorize at a linked account's service.
    func authorizationURL(_ provider: LinkedAccountProvider) async throws(GrantFailure) -> String {
        if let url = provider.authorizationURL { return url }
        guard case .issuer(let issuer) = provider.client.endpoint else {
            throw GrantFailure(kind: .badAnswer, description: "no authorization endpoint is configured")
        }
        guard let url = try await discovery.endpoints(issuer: issuer).authorization else {
            throw GrantFailure(kind: .badAnswer, description: "the issuer \(issuer) names no authorization endpoint")
        }
        return url
    }
}

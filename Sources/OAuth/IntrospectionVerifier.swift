import Caller
import Foundation
import GatehouseJSON

/// Checks opaque access tokens with the issuer's RFC 7662 introspection
/// endpoint, authenticating as the configured client.
struct IntrospectionVerifier: TokenVerifier {
    let settings: AuthSettings
    let http: any AuthHTTPClient
    let now: @Sendable () -> Date

    func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity {
        guard let introspection = settings.introspection else {
            throw .invalidToken("opaque access tokens are not accepted", reason: "malformed")
        }
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try await http.postForm(
                introspection.endpoint, form: [("token", token), ("token_type_hint", "access_token")],
                basicAuth: (introspection.clientID, introspection.clientSecret))
        } catch {
            throw .invalidToken("the access token could not be checked", reason: "introspection_unavailable")
        }
        guard answer.status == 200, case .object(let claims)? = try? JSONParser.parse(answer.body) else {
            throw .invalidToken("the access token could not be checked", reason: "introspection_unavailable")
        }
        guard claims["active"]?.boolValue == true else {
            throw .invalidToken("the access token is not active", reason: "inactive")
        }
        if let issuer = claims["iss"]?.stringValue, !settings.issuers.contains(where: { $0.issuer == issuer }) {
            throw .invalidToken("the access token was not issued by a trusted issuer", reason: "issuer")
        }
        return try ClaimChecks(settings: settings, now: now()).caller(from: claims, requireExpiry: false)
    }
}

import AuthorizationServer
import Configuration
import Foundation
import OAuth

/// Who may open the operator console, and the browser sign-in that proves
/// it. The console exists only with an admin group: there is no way in
/// without signing in.
///
/// With the built-in authorization server the sign-in is its identity
/// provider (with `/admin/signed-in` as a further redirect URI); with an
/// external issuer it is configured here.
public struct ConsoleSettings: Sendable {
    typealias D = SettingDeclaration

    public var signIn: UpstreamIdentityProvider.Settings
    public var allowInsecureSignIn: Bool
    /// Members of this group (in ``groupClaim`` of the ID token) are admins.
    public var adminGroup: String
    public var groupClaim: String
    /// Seconds a console sign-in lasts.
    public var sessionLifetime: Int64
    /// Signs the console's cookies; nil means a key made at start, valid
    /// on this process only.
    public var cookieSecret: [UInt8]?

    public static let path = "/admin"
    public static let redirectPath = "/admin/signed-in"

    /// - Returns: nil when no admin group is set (no console).
    static func read(
        _ reader: ConfigReader, publicURL: String?, builtIn: AuthorizationServerSettings?, sessionSecret: String?
    ) throws -> ConsoleSettings? {
        guard let group = reader.string(forKey: D.adminGroup.configKey)?.trimmingCharacters(in: .whitespaces), !group.isEmpty else {
            return nil
        }
        guard let publicURL else {
            throw GatewaySettings.Invalid(description: "GATEHOUSE_ADMIN_GROUP needs GATEHOUSE_PUBLIC_URL: operators sign in back to it")
        }
        let lifetime = Int64(try reader.int(D.adminSessionSeconds) { _ in "GATEHOUSE_ADMIN_SESSION_SECONDS must be between 300 and 43200" })
        let claim = reader.string(forKey: D.adminGroupClaim.configKey, default: D.adminGroupClaim.defaultValue!)
        let issuer = reader.string(forKey: D.adminSignInIssuer.configKey)
        let clientID = reader.string(forKey: D.adminSignInClientID.configKey)
        let secret = try reader.secret(D.adminSignInClientSecret)
        let redirect = publicURL + redirectPath
        var cookieSecret = sessionSecret.map { Array($0.utf8) }
        if let builtIn {
            var signIn = builtIn.upstream
            signIn.redirectURI = redirect
            if let issuer { signIn.issuer = issuer }
            if let clientID { signIn.clientID = clientID }
            if let secret { signIn.clientSecret = secret }
            cookieSecret = cookieSecret ?? builtIn.storeSecret
            return ConsoleSettings(
                signIn: signIn, allowInsecureSignIn: builtIn.allowInsecureUpstream, adminGroup: group, groupClaim: claim,
                sessionLifetime: lifetime, cookieSecret: cookieSecret)
        }
        guard let issuer, let clientID, let secret else {
            throw GatewaySettings.Invalid(
                description: "GATEHOUSE_ADMIN_GROUP needs GATEHOUSE_ADMIN_SIGNIN_ISSUER, GATEHOUSE_ADMIN_SIGNIN_CLIENT_ID and GATEHOUSE_ADMIN_SIGNIN_CLIENT_SECRET (or _FILE) unless GATEHOUSE_AUTH=builtin")
        }
        let allowInsecure = reader.bool(forKey: D.authAllowInsecureIssuers.configKey, default: false)
        guard URL(string: issuer)?.host != nil, AuthSettings.isAcceptableIssuerURL(issuer, allowInsecure: allowInsecure) else {
            throw GatewaySettings.Invalid(
                description: "GATEHOUSE_ADMIN_SIGNIN_ISSUER '\(issuer)' must be an https URL (http only on loopback, or with GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS)")
        }
        return ConsoleSettings(
            signIn: .init(issuer: issuer, clientID: clientID, clientSecret: secret, scopes: ["openid", "email", "profile"], redirectURI: redirect),
            allowInsecureSignIn: allowInsecure, adminGroup: group, groupClaim: claim, sessionLifetime: lifetime, cookieSecret: cookieSecret)
    }
}

import AuthorizationServer
import Configuration
import Foundation
import OAuth

/// Where linked accounts and personal keys are kept, and the browser
/// sign-in that proves who opens a link.
///
/// With the built-in authorization server both come from its settings
/// (its store, and its identity provider with a second redirect URI);
/// with an external issuer they are configured here, and without them
/// `linked_account` and `user_api_key` tools say they are not available.
public struct LinkingSettings: Sendable {
    typealias D = SettingDeclaration

    public var signIn: UpstreamIdentityProvider.Settings
    public var allowInsecureSignIn: Bool
    /// A SQLite file path or a `postgres://` URL.
    public var store: String
    public var storeSecret: [UInt8]
    public var previousStoreSecrets: [[UInt8]] = []
    public var linkLifetime: Int64

    public static let redirectPath = "/link/signed-in"

    /// - Returns: nil when linking is not configured (external issuer
    ///   without a link sign-in client).
    static func read(_ reader: ConfigReader, publicURL: String?, builtIn: AuthorizationServerSettings?) throws -> LinkingSettings? {
        let lifetime = Int64(try reader.int(D.linkSeconds) { _ in "GATEHOUSE_LINK_SECONDS must be between 60 and 3600" })
        let issuer = reader.string(forKey: D.linkSignInIssuer.configKey)
        if let builtIn, let publicURL {
            var signIn = builtIn.upstream
            signIn.redirectURI = publicURL + redirectPath
            if let issuer { signIn.issuer = issuer }
            if let id = reader.string(forKey: D.linkSignInClientID.configKey) { signIn.clientID = id }
            if let secret = try reader.secret(D.linkSignInClientSecret) { signIn.clientSecret = secret }
            return LinkingSettings(
                signIn: signIn, allowInsecureSignIn: builtIn.allowInsecureUpstream, store: builtIn.store, storeSecret: builtIn.storeSecret,
                previousStoreSecrets: builtIn.previousStoreSecrets, linkLifetime: lifetime)
        }
        guard let issuer else { return nil }
        guard let publicURL else { throw GatewaySettings.Invalid(description: "linking needs GATEHOUSE_PUBLIC_URL: link pages live there") }
        guard let clientID = reader.string(forKey: D.linkSignInClientID.configKey) else {
            throw GatewaySettings.Invalid(description: "GATEHOUSE_LINK_SIGNIN_ISSUER needs GATEHOUSE_LINK_SIGNIN_CLIENT_ID")
        }
        guard let secret = try reader.secret(D.linkSignInClientSecret) else {
            throw GatewaySettings.Invalid(description: "GATEHOUSE_LINK_SIGNIN_ISSUER needs GATEHOUSE_LINK_SIGNIN_CLIENT_SECRET or _FILE")
        }
        let allowInsecure = reader.bool(forKey: D.authAllowInsecureIssuers.configKey, default: false)
        guard URL(string: issuer)?.host != nil, AuthSettings.isAcceptableIssuerURL(issuer, allowInsecure: allowInsecure) else {
            throw GatewaySettings.Invalid(
                description: "GATEHOUSE_LINK_SIGNIN_ISSUER '\(issuer)' must be an https URL (http only on loopback, or with GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS)")
        }
        guard let storeSecret = try reader.secret(D.storeSecret), storeSecret.utf8.count >= 32 else {
            throw GatewaySettings.Invalid(
                description: "linking keeps credentials sealed: it needs GATEHOUSE_AUTH_STORE_SECRET or _FILE (32 or more bytes)")
        }
        var scopes = GatewaySettings.list(reader.string(forKey: D.upstreamScopes.configKey))
        if scopes.isEmpty { scopes = ["openid"] }
        if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
        return LinkingSettings(
            signIn: .init(issuer: issuer, clientID: clientID, clientSecret: secret, scopes: scopes, redirectURI: publicURL + redirectPath),
            allowInsecureSignIn: allowInsecure, store: reader.string(forKey: D.store.configKey, default: D.store.defaultValue!),
            storeSecret: Array(storeSecret.utf8), previousStoreSecrets: try AuthorizationServerSettings.previousSecrets(reader),
            linkLifetime: lifetime)
    }
}

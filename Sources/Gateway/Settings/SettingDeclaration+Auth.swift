extension SettingDeclaration {
    public static let auth = SettingDeclaration(
        "gatehouse.auth", .auth, default: "off",
        "off (for local development), oauth (tokens from an external issuer) or builtin (this server issues them)")
    public static let authIssuers = SettingDeclaration("gatehouse.auth.issuers", .auth, "comma-separated trusted issuer URLs")
    public static let authJWKSURL = SettingDeclaration(
        "gatehouse.auth.jwks.url", .auth, "explicit key set URL (one issuer); found through issuer metadata otherwise")
    public static let authAudiences = SettingDeclaration(
        "gatehouse.auth.audiences", .auth, default: "the public URL of /mcp", "accepted token audiences")
    public static let authScopes = SettingDeclaration(
        "gatehouse.auth.scopes", .auth, "space- or comma-separated scopes every request needs")
    public static let authClockSkew = SettingDeclaration(
        "gatehouse.auth.clock.skew.seconds", .auth, default: "60", "allowed clock skew for exp/nbf")
    public static let authIntrospectionURL = SettingDeclaration(
        "gatehouse.auth.introspection.url", .auth, "RFC 7662 endpoint for opaque tokens")
    public static let authIntrospectionClientID = SettingDeclaration(
        "gatehouse.auth.introspection.client.id", .auth, "client id for introspection")
    public static let authIntrospectionClientSecret = SettingDeclaration(
        "gatehouse.auth.introspection.client.secret", .auth, secret: true, "client secret for introspection")
    public static let authIntrospectionClientSecretFile = SettingDeclaration(
        "gatehouse.auth.introspection.client.secret.file", .auth, "file holding that secret")
    public static let authAllowInsecureIssuers = SettingDeclaration(
        "gatehouse.auth.allow.insecure.issuers", .auth, default: "false", "accept http:// issuers beyond loopback (labs only)")
    public static let authAllowUnverifiedEmail = SettingDeclaration(
        "gatehouse.auth.allow.unverified.email", .auth, default: "false",
        "true to pass {{ user.email }} even when the issuer marked it email_verified: false")

    public static let oauth: [SettingDeclaration] = [
        auth, authIssuers, authJWKSURL, authAudiences, authScopes, authClockSkew, authIntrospectionURL,
        authIntrospectionClientID, authIntrospectionClientSecret, authIntrospectionClientSecretFile, authAllowInsecureIssuers,
        authAllowUnverifiedEmail,
    ]
}

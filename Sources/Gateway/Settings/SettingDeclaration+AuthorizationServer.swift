/// The built-in authorization server's settings (`GATEHOUSE_AUTH=builtin`).
extension SettingDeclaration {
    public static let upstreamIssuer = SettingDeclaration(
        "gatehouse.auth.upstream.issuer", .authorizationServer, "builtin: the OpenID Connect provider people sign in at")
    public static let upstreamClientID = SettingDeclaration(
        "gatehouse.auth.upstream.client.id", .authorizationServer,
        "builtin: client id registered there (redirect URI <public URL>/oauth/callback)")
    public static let upstreamClientSecret = SettingDeclaration(
        "gatehouse.auth.upstream.client.secret", .authorizationServer, secret: true, "builtin: that client's secret")
    public static let upstreamClientSecretFile = SettingDeclaration(
        "gatehouse.auth.upstream.client.secret.file", .authorizationServer, "builtin: file holding that secret")
    public static let upstreamScopes = SettingDeclaration(
        "gatehouse.auth.upstream.scopes", .authorizationServer, default: "openid email profile",
        "builtin: scopes asked of the provider")
    public static let scopeMapping = SettingDeclaration(
        "gatehouse.auth.scope.mapping", .authorizationServer,
        "builtin: who gets which scope, e.g. '* -> mcp; groups=support|ops -> tickets:write'")
    public static let clients = SettingDeclaration(
        "gatehouse.auth.clients", .authorizationServer,
        "builtin: static clients, a JSON array of {client_id, redirect_uris, client_name?, client_secret_file?}")
    public static let store = SettingDeclaration(
        "gatehouse.auth.store", .authorizationServer, default: "gatehouse-auth.sqlite", "builtin: SQLite file or postgres:// URL")
    public static let storeSecret = SettingDeclaration(
        "gatehouse.auth.store.secret", .authorizationServer, secret: true,
        "key (32+ bytes) sealing signing keys, users' tokens, linked accounts and keys at rest")
    public static let storeSecretFile = SettingDeclaration(
        "gatehouse.auth.store.secret.file", .authorizationServer, "file holding that key")
    public static let storePreviousSecretsFile = SettingDeclaration(
        "gatehouse.auth.store.previous.secrets.file", .authorizationServer,
        "while changing that key: a file with the previous keys, one per line (then run gatehouse auth reseal)")
    public static let accessTokenSeconds = SettingDeclaration(
        "gatehouse.auth.access.token.seconds", .authorizationServer, default: "900", range: 60...86_400,
        "builtin: access token lifetime")
    public static let refreshTokenDays = SettingDeclaration(
        "gatehouse.auth.refresh.token.days", .authorizationServer, default: "30", range: 1...365,
        "builtin: refresh token lifetime")
    public static let codeSeconds = SettingDeclaration(
        "gatehouse.auth.code.seconds", .authorizationServer, default: "60", range: 1...600, "builtin: authorization code lifetime")
    public static let keyRotationDays = SettingDeclaration(
        "gatehouse.auth.key.rotation.days", .authorizationServer, default: "30", range: 1...365,
        "builtin: signing key rotation period")
    public static let redirectAllow = SettingDeclaration(
        "gatehouse.auth.redirect.allow", .authorizationServer, default: "Claude's callbacks and loopback",
        "builtin: redirect URIs clients may use; a trailing * matches any suffix")
    public static let metadataDocumentsAllowInternal = SettingDeclaration(
        "gatehouse.auth.metadata.documents.allow.internal", .authorizationServer, default: "false",
        "builtin: fetch client metadata documents from private addresses (labs only)")
    public static let registrationRate = SettingDeclaration(
        "gatehouse.auth.registration.rate", .authorizationServer, default: "20/hour", "builtin: registrations per client address")

    public static let authorizationServer: [SettingDeclaration] = [
        upstreamIssuer, upstreamClientID, upstreamClientSecret, upstreamClientSecretFile, upstreamScopes, scopeMapping, clients,
        store, storeSecret, storeSecretFile, storePreviousSecretsFile, accessTokenSeconds, refreshTokenDays, codeSeconds, keyRotationDays, redirectAllow,
        metadataDocumentsAllowInternal, registrationRate,
    ]
}

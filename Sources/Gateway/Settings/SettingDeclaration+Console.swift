/// The operator console at `/admin`: who may open it and where they sign
/// in. It is off until an admin group is named.
extension SettingDeclaration {
    public static let adminGroup = SettingDeclaration(
        "gatehouse.admin.group", .console,
        "group whose members may open the operator console at /admin (off when unset); needs GATEHOUSE_PUBLIC_URL")
    public static let adminGroupClaim = SettingDeclaration(
        "gatehouse.admin.group.claim", .console, default: "groups", "ID token claim (a string or a list) that names the groups")
    public static let adminSignInIssuer = SettingDeclaration(
        "gatehouse.admin.signin.issuer", .console, default: "builtin: the upstream identity provider",
        "OpenID Connect provider operators sign in at; required with GATEHOUSE_AUTH=oauth")
    public static let adminSignInClientID = SettingDeclaration(
        "gatehouse.admin.signin.client.id", .console, default: "builtin: the upstream client",
        "client id there (redirect URI <public URL>/admin/signed-in)")
    public static let adminSignInClientSecret = SettingDeclaration(
        "gatehouse.admin.signin.client.secret", .console, secret: true, "that client's secret")
    public static let adminSignInClientSecretFile = SettingDeclaration(
        "gatehouse.admin.signin.client.secret.file", .console, "file holding that secret")
    public static let adminSessionSeconds = SettingDeclaration(
        "gatehouse.admin.session.seconds", .console, default: "3600", range: 300...43200,
        "how long a console sign-in lasts")

    public static let console: [SettingDeclaration] = [
        adminGroup, adminGroupClaim, adminSignInIssuer, adminSignInClientID, adminSignInClientSecret, adminSignInClientSecretFile,
        adminSessionSeconds,
    ]
}

/// Calling APIs as the user: the browser sign-in of the link pages and the
/// link lifetime. Linked accounts and personal keys are kept in the
/// authorization store (`gatehouse.auth.store`, sealed with
/// `gatehouse.auth.store.secret`) in either auth mode.
extension SettingDeclaration {
    public static let linkSignInIssuer = SettingDeclaration(
        "gatehouse.link.signin.issuer", .linking,
        default: "builtin: the upstream identity provider",
        "OpenID Connect provider users sign in at on the link pages; with GATEHOUSE_AUTH=oauth, the issuer of their tokens")
    public static let linkSignInClientID = SettingDeclaration(
        "gatehouse.link.signin.client.id", .linking, default: "builtin: the upstream client",
        "client id there (redirect URI <public URL>/link/signed-in)")
    public static let linkSignInClientSecret = SettingDeclaration(
        "gatehouse.link.signin.client.secret", .linking, secret: true, "that client's secret")
    public static let linkSignInClientSecretFile = SettingDeclaration(
        "gatehouse.link.signin.client.secret.file", .linking, "file holding that secret")
    public static let linkSeconds = SettingDeclaration(
        "gatehouse.link.seconds", .linking, default: "600", range: 60...3600, "how long a link URL stays valid (it works once)")

    public static let linking: [SettingDeclaration] = [
        linkSignInIssuer, linkSignInClientID, linkSignInClientSecret, linkSignInClientSecretFile, linkSeconds,
    ]
}

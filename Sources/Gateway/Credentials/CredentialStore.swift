import AuthorizationServer

/// The store linked accounts and personal keys live in, with the box that
/// seals them: the built-in authorization server's, or one opened for
/// linking alone with an external issuer.
public struct CredentialStore: Sendable {
    public let store: any AuthStore
    public let box: SecretBox

    public init(store: any AuthStore, box: SecretBox) {
        self.store = store
        self.box = box
    }
}

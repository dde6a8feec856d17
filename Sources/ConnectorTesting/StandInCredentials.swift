import Caller
import ConnectorModel
import Upstream

/// What a tool whose credential is obtained at call time (a service
/// token, an exchanged token, a linked account) sends in a test: the
/// bearer token ``value``, so a test can expect it without an identity
/// provider.
struct StandInCredentials: CredentialSource {
    static let value = "test-credential"

    func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> UpstreamCredential
    {
        UpstreamCredential(value: Self.value, placement: .bearer, redactor: .none)
    }

    func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure? {
        nil
    }
}

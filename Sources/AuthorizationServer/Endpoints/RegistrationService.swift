import Foundation
import GatehouseJSON

/// Dynamic client registration (RFC 7591), for clients that use it rather
/// than a metadata document: every registration gets a new client id, and
/// confidential clients a secret shown once and stored hashed.
public struct RegistrationService: Sendable {
    public let store: any AuthStore
    public let policy: RedirectURIPolicy
    public let maximumBodyBytes: Int
    let now: @Sendable () -> Int64

    public init(
        store: any AuthStore, policy: RedirectURIPolicy, maximumBodyBytes: Int = 16 * 1024,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.policy = policy
        self.maximumBodyBytes = maximumBodyBytes
        self.now = now
    }

    /// The 201 body for a registration request, or the RFC 7591 error.
    public func register(body: [UInt8]) async throws -> JSONValue {
        guard body.count <= maximumBodyBytes else {
            throw OAuthError("invalid_client_metadata", "the registration request is larger than \(maximumBodyBytes) bytes")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw OAuthError("invalid_client_metadata", "the registration request is not valid JSON")
        }
        let metadata: ClientMetadata
        do { metadata = try ClientMetadata(value, policy: policy) } catch {
            throw OAuthError(error.error, error.description)
        }
        let client = RegisteredClient(
            clientID: OpaqueToken.generate(bytes: 16), origin: .dynamic, name: metadata.name, redirectURIs: metadata.redirectURIs,
            tokenEndpointAuthMethod: metadata.tokenEndpointAuthMethod, grantTypes: metadata.grantTypes,
            clientURI: metadata.clientURI, logoURI: metadata.logoURI, scope: metadata.scope, issuedAt: now())
        let secret = client.isPublic ? nil : OpaqueToken.generate()
        try await store.saveClient(StoredClient(client: client, secretHash: secret.map(OpaqueToken.hash)))
        return client.registrationResponse(clientSecret: secret)
    }
}

import Caller

/// Turns a bearer token into the caller it belongs to. A seam: the gateway
/// holds one, tests drive each implementation without a network.
public protocol TokenVerifier: Sendable {
    func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity
}

/// Where the verifiers fetch issuer metadata, key sets and introspection
/// answers; a seam so tests need no network and production uses the shared
/// HTTP client.
public protocol AuthHTTPClient: Sendable {
    func get(_ url: String) async throws -> (status: Int, body: [UInt8])
    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
}

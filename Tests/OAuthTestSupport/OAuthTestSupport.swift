import Foundation
import GatehouseJSON
import JWTKit
import OAuth
import Synchronization

/// Test doubles and key material shared by the OAuth and gateway tests: a
/// fake issuer network, signing keys with their public JWKs, and a raw JWT
/// builder that can also make the malformed tokens attacks use.

struct MissingKeyParameters: Error {}

// MARK: - A fake network for issuers

/// Serves issuer metadata, key sets and introspection answers from memory and
/// records every request, so tests can count fetches and inspect credentials.
public final class FakeAuthHTTP: AuthHTTPClient {
    public struct Post: Sendable {
        public var url: String
        public var form: [(String, String)]
        public var user: String?
        public var password: String?

        public func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
    }

    private struct State {
        var documents: [String: (status: Int, body: [UInt8])] = [:]
        var postAnswers: [String: (status: Int, body: [UInt8])] = [:]
        public var gets: [String] = []
        public var posts: [Post] = []
        var delay: Duration = .zero
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers `GET url` with `json` (HTTP 200).
    public func serve(_ url: String, json: JSONValue) {
        serve(url, status: 200, body: json.jsonBytes)
    }

    public func serve(_ url: String, status: Int, body: [UInt8]) {
        state.withLock { $0.documents[url] = (status, body) }
    }

    public func remove(_ url: String) {
        _ = state.withLock { $0.documents.removeValue(forKey: url) }
    }

    /// Answers `POST url` with `json` (HTTP 200).
    public func answerPosts(to url: String, json: JSONValue, status: Int = 200) {
        state.withLock { $0.postAnswers[url] = (status, json.jsonBytes) }
    }

    /// Makes every answer take `delay`, so requests overlap.
    public func delayAnswers(by delay: Duration) {
        state.withLock { $0.delay = delay }
    }

    public var gets: [String] { state.withLock { $0.gets } }
    public var posts: [Post] { state.withLock { $0.posts } }
    public var requestCount: Int { state.withLock { $0.gets.count + $0.posts.count } }
    public func getCount(_ url: String) -> Int { state.withLock { $0.gets.filter { $0 == url }.count } }

    public func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        let (answer, delay) = state.withLock { state in
            state.gets.append(url)
            return (state.documents[url] ?? (404, Array(#"{"error":"not_found"}"#.utf8)), state.delay)
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        return answer
    }

    public func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    {
        state.withLock { state in
            state.posts.append(Post(url: url, form: form, user: basicAuth?.user, password: basicAuth?.password))
            return state.postAnswers[url] ?? (404, [])
        }
    }
}

// MARK: - Keys and tokens

public func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// A throwaway 2048-bit RSA key for tests only.
public let testRSAPrivateKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIIEugIBADANBgkqhkiG9w0BAQEFAASCBKQwggSgAgEAAoIBAQCoQBk0rC8/uo5I
    PZAK1fIfKQS5Y/Skb75VE3MEjorJkkIJ2nbEbNIEzwe+4pOVvhKUfOrpwlrBADP9
    4GXbzV+CuOfclwu3Df8Ypd8sWEmOtp3dt4EAZrMpCGZapsV71ItLAh3rNyjZQDLI
    n+cTzZo9qEwDv5urRBJDyxMfWV9Wq6hjprZlxcm9MbDvRf/YAQjgXzCnm6Hwt+0t
    GneY9j0apteEP3NZAQG2cU1KemSznYE+T5ohHWKv7kqq7H25VZly/i9cEA/2SH+g
    smKRz9u2b40CHW45410bJFLfN5tdEEdoOrK31YWutg2nX87W07mbyvvxFxkT0isT
    xMnx5+eZAgMBAAECgf9GnUsTXoY9OQ8pCcn4+yejepO55h1VkR7fQLw+LVxLdlAI
    RG+UcvtAl6OollNa2vmcA0N4ZuEFdSzO0phfUtLftS0pS5EQ7c7p+yXMBQkTMgO6
    fEn9i8el/1JLZF3v8ES+4SSRBc50fGDUDA+3ByIKhdDvwdDM1+F9PS/JakdgbYsD
    vKMHBdW9zJmxsfciWoas/ByYyHGachiObDQ/oE6wBqvQ0O8iPogzojFgdNg+nR0u
    RDMTgzfcHvOBcTOe1MiIsjjj1P6szTZg59ne5T0a9M8oqYV0d9GkrKZoywe3go0N
    504Iz1WcDFUOGFqbdbCc0GKzXgv6ExgmS4dTdg0CgYEA2tDP5AbfevCXBca9KZFw
    nFfZMijsoMdSNXlJIiS2pfz2vSQKLhZVqBR25w5ooDBcHN20BlljWstl2jLWlaJw
    N7+Rhg2A2+O/vyeJ+3U4LA6nVum1XF1m68pyj9Y5kU6eb+blCWL/LZiVIlS8Lg1J
    SVBbWG7FvWlT9eymGrFZBx8CgYEAxNeIfwLJx40lGwZ5PBOBFaFAFKusyjwxOOOO
    7SMdLHlJUyRGi4jtzQ3cVpcuGJ314dKY0XEMuKS3v3TEAZ6gpamLr9o1/z2kSbT4
    u5Di4BmvABRfCWAV3dtMul0uf3F+LP6H5l5b84vRoxGOARDvH+hIdlYqg51/GNJF
    Tv8xUkcCgYAf2i2o/+cgOk2BpcB7gJRn7dHMH3DyppEs/47JzZZY603vkoN42f92
    DCSS1eIdD20ZNpyyH+j6moklDil2dsLnGpfQb77GQ4zyAotvc0zN/QQW/sZLv7zv
    rfSnQ4P1xwABQhctGqASvxdWfAc4nO6CIZRqdxWJ0P9L2TsEv7Q5+QKBgCknfuw/
    IvzLr8RUuCgtU8G38vPfaMLnjsr8GLfPrZvMx93QKcemm0FR8o1QEl0nOW87XqP7
    ZNN97MTkns5P4fqA1imwD7YLpzuZ0J82jZiZBhOYLr6BDlFSNlqIfN48VksF9Fff
    xo3G38+eLfhfF/+tyuii30ShOx9vZvo7NI6lAoGAa16ZtE2ikOB0hMLq4W/TID3O
    QBQANQyaJgRtP8wr/iIEx7tW3yh/EIci+IFaq5W77SqAY0dNHVIqUJLR8N5eqX2G
    r3gvnAedTrl/fhHXcnkRSZ0QkwPhB09dKZnBTmn5FzQ9PMNw5e+ZBpV76Y+9cQz0
    ND57UgVbfMQ33EuldHw=
    -----END PRIVATE KEY-----
    """

/// A private key that signs tokens, with the public JWK an issuer would
/// publish for it.
public struct SigningKey: Sendable {
    public let kid: String
    public let alg: String
    public let signer: any JWTAlgorithm
    public let jwk: JSONValue

    public static func es256(kid: String) async throws -> SigningKey {
        let key = ES256PrivateKey()
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let signer = try await collection.getKey(for: JWKIdentifier(string: kid))
        guard let parameters = key.parameters else { throw MissingKeyParameters() }
        return SigningKey(
            kid: kid, alg: "ES256", signer: signer,
            jwk: [
                "kty": "EC", "crv": "P-256", "x": .string(parameters.x), "y": .string(parameters.y),
                "kid": .string(kid), "alg": "ES256", "use": "sig",
            ])
    }

    public static func rs256(kid: String) async throws -> SigningKey {
        let key = try Insecure.RSA.PrivateKey(pem: testRSAPrivateKeyPEM)
        let collection = JWTKeyCollection()
        await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let signer = try await collection.getKey(for: JWKIdentifier(string: kid))
        let primitives = try key.publicKey.getKeyPrimitives()
        return SigningKey(
            kid: kid, alg: "RS256", signer: signer,
            jwk: [
                "kty": "RSA", "n": .string(base64URL(primitives.modulus)), "e": .string(base64URL(primitives.publicExponent)),
                "kid": .string(kid), "alg": "RS256", "use": "sig",
            ])
    }

    public static var rsaPublicKeyPEM: String {
        get throws { try Insecure.RSA.PrivateKey(pem: testRSAPrivateKeyPEM).publicKey.pemRepresentation }
    }
}

/// `header.payload.signature` with exactly the given header and claims.
public func makeJWT(header: JSONObject, claims: JSONObject, signer: (any JWTAlgorithm)?) throws -> String {
    let signingInput = base64URL(JSONValue.object(header).jsonBytes) + "." + base64URL(JSONValue.object(claims).jsonBytes)
    let signature = try signer.map { try $0.sign(Array(signingInput.utf8)) } ?? []
    return signingInput + "." + base64URL(signature)
}

public func makeJWT(_ claims: JSONObject, key: SigningKey, kid: String?? = .none) throws -> String {
    var header: JSONObject = ["alg": .string(key.alg), "typ": "JWT"]
    switch kid {
    case .none: header["kid"] = .string(key.kid)
    case .some(.some(let other)): header["kid"] = .string(other)
    case .some(.none): break
    }
    return try makeJWT(header: header, claims: claims, signer: key.signer)
}

/// HMAC-SHA256 with `secret`, through JWTKit's HMAC signer.
public func hs256Signer(secret: String) async throws -> any JWTAlgorithm {
    let collection = JWTKeyCollection()
    await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "hmac")
    return try await collection.getKey(for: "hmac")
}


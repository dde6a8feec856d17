import ConnectorModel
import Foundation
import HTTPTypes
import JWTKit
import Logging
import OAuth

/// An issuer served from memory: metadata and a key set, no network.
struct InMemoryIssuer: AuthHTTPClient {
    let documents: [String: String]

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        guard let text = documents[url] else { return (404, []) }
        return (200, Array(text.utf8))
    }

    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    { (404, []) }
}

struct AccessClaims: JWTPayload {
    var iss: String
    var aud: String
    var sub: String
    var exp: Int
    var scope: String
    var email: String
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

enum TokenBenchmarks {
    static let issuer = "https://id.example.test"
    static let audience = "https://mcp.example.test/mcp"

    static func run(iterations: Int) async throws -> [Measurement] {
        let esKey = ES256PrivateKey()
        guard let parameters = esKey.publicKey.parameters else { fatalError("no EC parameters") }
        let rsaPEM = try Self.generateRSAKey()
        let rsaKey = try Insecure.RSA.PrivateKey(pem: rsaPEM)
        let primitives = try rsaKey.publicKey.getKeyPrimitives()
        let base64URL = { (data: Data) in
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let jwks = """
            {"keys":[{"kty":"EC","crv":"P-256","x":"\(parameters.x)","y":"\(parameters.y)","kid":"ec-1","alg":"ES256","use":"sig"},
            {"kty":"RSA","n":"\(base64URL(primitives.modulus))","e":"\(base64URL(primitives.publicExponent))","kid":"rsa-1","alg":"RS256","use":"sig"}]}
            """
        let http = InMemoryIssuer(documents: [
            issuer + "/.well-known/oauth-authorization-server": #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks"}"#,
            issuer + "/jwks": jwks,
        ])
        let settings = AuthSettings(enabled: true, issuers: [.init(issuer: issuer)], audiences: [audience], requiredScopes: ["mcp"])
        let logger = Logger(label: "bench")
        let claims = AccessClaims(
            iss: issuer, aud: audience, sub: "user-1", exp: Int(Date().timeIntervalSince1970) + 3600,
            scope: "mcp tickets:read", email: "user@example.test")
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: esKey, kid: "ec-1")
        await signer.add(rsa: rsaKey, digestAlgorithm: .sha256, kid: "rsa-1")
        let esToken = try await signer.sign(claims, kid: "ec-1")
        let rsToken = try await signer.sign(claims, kid: "rsa-1")

        let verifier = JWTVerifier(settings: settings, http: http, logger: logger)
        let cached = CachingTokenVerifier(verifier)
        let server = ResourceServer(settings: settings, resource: audience, verifier: cached) { ["mcp"] }
        var headers: HTTPFields = [:]
        headers[.authorization] = "Bearer " + rsToken

        var results: [Measurement] = []
        results.append(try await measureAsync("token check, RS256, signature verified every call", iterations: iterations) {
            blackHole(try await verifier.verify(rsToken))
        })
        results.append(try await measureAsync("token check, ES256, signature verified every call", iterations: iterations) {
            blackHole(try await verifier.verify(esToken))
        })
        results.append(try await measureAsync("token check, cached (the same token again)", iterations: iterations * 20) {
            blackHole(try await cached.verify(rsToken))
        })
        results.append(try await measureAsync("Authorization header → caller, cached", iterations: iterations * 20) {
            blackHole(try await server.authenticate(headers: headers, query: nil))
        })
        return results
    }

    static func generateRSAKey() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "genrsa", "2048"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

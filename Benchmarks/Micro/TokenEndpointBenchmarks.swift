import AuthorizationServer
import Foundation

/// The token endpoint's work without HTTP, on a SQLite file: exchanging a
/// code (consume it, create the grant, sign an access token, store a
/// refresh token) and rotating a refresh token.
enum TokenEndpointBenchmarks {
    static func run(iterations: Int) async throws -> [Measurement] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-bench-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await SQLiteAuthStore.open(path: path)
        try await store.migrate()
        let redirect = "http://127.0.0.1:33418/callback"
        try await store.saveClient(StoredClient(client: RegisteredClient(clientID: "bench", origin: .dynamic, redirectURIs: [redirect])))
        let ring = try await SigningKeyRing([.generate(now: 0)])
        let service = TokenService(store: store, issuer: "http://127.0.0.1:8080", resource: "http://127.0.0.1:8080/mcp", keys: { ring })
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let challenge = PKCE.challenge(for: verifier)

        // Codes are single-use: make all of them before timing.
        let count = iterations + iterations / 10 + 1
        var codes: [String] = []
        for _ in 0..<(count * 5) {
            let code = OpaqueToken.generate()
            try await store.saveCode(AuthorizationCodeRecord(
                hash: OpaqueToken.hash(code), clientID: "bench", redirectURI: redirect, codeChallenge: challenge,
                resource: "http://127.0.0.1:8080/mcp", scopes: ["tickets:read"], subject: "user-1",
                claimsJSON: #"{"email":"user@example.com"}"#, expiresAt: Int64(Date().timeIntervalSince1970) + 3600))
            codes.append(code)
        }
        let codeBox = Box(codes)
        let exchange = try await measureAsync("token endpoint: code exchange (SQLite)", iterations: iterations) {
            let code = codeBox.next()
            blackHole(try await service.handle(
                form: ["grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": redirect,
                       "client_id": "bench"], credentials: nil))
        }
        var refresh = try await service.handle(
            form: ["grant_type": "authorization_code", "code": codeBox.next(), "code_verifier": verifier, "redirect_uri": redirect,
                   "client_id": "bench"], credentials: nil)["refresh_token"]?.stringValue ?? ""
        let refreshBox = Box([refresh])
        let rotation = try await measureAsync("token endpoint: refresh rotation (SQLite)", iterations: iterations) {
            let answer = try await service.handle(
                form: ["grant_type": "refresh_token", "refresh_token": refreshBox.current, "client_id": "bench"], credentials: nil)
            refresh = answer["refresh_token"]?.stringValue ?? ""
            refreshBox.current = refresh
        }
        try await store.close()
        return [exchange, rotation]
    }

    /// Hands out values one at a time to the timed closure.
    final class Box: @unchecked Sendable {
        var values: [String]
        var index = 0
        var current: String

        init(_ values: [String]) {
            self.values = values
            self.current = values.first ?? ""
        }

        func next() -> String {
            defer { index += 1 }
            return values[index % values.count]
        }
    }
}

import Foundation
import GatehouseJSON
import JWTKit
import Logging
import Synchronization
import Testing

import OAuthTestSupport

@testable import OAuth

// MARK: - A standard issuer

enum Fixture {
    static let issuer = "https://issuer.example.test"
    static let audience = "https://mcp.example.test/mcp"
    static let jwksURL = "https://issuer.example.test/keys"
    static let rfc8414URL = "https://issuer.example.test/.well-known/oauth-authorization-server"
    static let oidcURL = "https://issuer.example.test/.well-known/openid-configuration"
    /// The verifiers' clock in these tests.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static var nowSeconds: Double { now.timeIntervalSince1970 }

    static func settings(
        issuer: String = issuer, jwksURL: String? = nil, audiences: [String] = [audience],
        refreshInterval: Duration = .seconds(30), allowInsecure: Bool = false
    ) -> AuthSettings {
        AuthSettings(
            enabled: true, issuers: [.init(issuer: issuer, jwksURL: jwksURL)], audiences: audiences,
            allowInsecureIssuers: allowInsecure, jwksRefreshInterval: refreshInterval)
    }

    static func claims(
        iss: String = issuer, aud: JSONValue = .string(audience), sub: String = "user-1",
        exp: Double? = nowSeconds + 300, extra: JSONObject = [:]
    ) -> JSONObject {
        var claims: JSONObject = ["iss": .string(iss), "sub": .string(sub), "aud": aud, "iat": .double(nowSeconds - 10)]
        if let exp { claims["exp"] = .double(exp) }
        for (key, value) in extra { claims[key] = value }
        return claims
    }

    /// Serves RFC 8414 metadata and a key set for `issuer` on `http`.
    static func publish(_ keys: [SigningKey], on http: FakeAuthHTTP, issuer: String = issuer, jwksURL: String = jwksURL) {
        http.serve(rfc8414URL, json: ["issuer": .string(issuer), "jwks_uri": .string(jwksURL)])
        publishKeys(keys, on: http, at: jwksURL)
    }

    static func publishKeys(_ keys: [SigningKey], on http: FakeAuthHTTP, at url: String = jwksURL) {
        http.serve(url, json: ["keys": .array(keys.map(\.jwk))])
    }

    static func verifier(_ settings: AuthSettings = settings(), http: FakeAuthHTTP, kind: TokenKind = .accessToken) -> JWTVerifier {
        JWTVerifier(settings: settings, http: http, logger: Logger(label: "oauth.tests"), kind: kind, now: { now })
    }
}

/// The failure `verifier` throws for `token`, or nil when it accepts it.
func refusal(_ verifier: some TokenVerifier, _ token: String) async -> AuthFailure? {
    do {
        _ = try await verifier.verify(token)
        return nil
    } catch {
        return error
    }
}

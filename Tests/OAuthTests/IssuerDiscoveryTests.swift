import Foundation
import GatehouseJSON
import JWTKit
import Testing

import OAuthTestSupport

@testable import OAuth

@Suite("Issuer metadata discovery")
struct IssuerDiscoveryTests {
    static let pathIssuer = "https://login.example.test/realms/main"
    static let pathRFC8414 = "https://login.example.test/.well-known/oauth-authorization-server/realms/main"
    static let pathOIDC = "https://login.example.test/realms/main/.well-known/openid-configuration"
    static let pathJWKS = "https://login.example.test/realms/main/certs"

    @Test func metadataURLOrder() {
        #expect(IssuerKeys.metadataURLs(for: Self.pathIssuer) == [
            Self.pathRFC8414, Self.pathOIDC, "https://login.example.test/.well-known/openid-configuration/realms/main",
        ])
        #expect(IssuerKeys.metadataURLs(for: "https://issuer.example.test/").first == Fixture.rfc8414URL)
    }

    @Test func rfc8414PathInsertedURLIsTriedFirst() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Self.pathRFC8414, json: ["issuer": .string(Self.pathIssuer), "jwks_uri": .string(Self.pathJWKS)])
        http.serve(Self.pathOIDC, json: ["issuer": .string(Self.pathIssuer), "jwks_uri": "https://login.example.test/wrong"])
        Fixture.publishKeys([key], on: http, at: Self.pathJWKS)
        let verifier = Fixture.verifier(Fixture.settings(issuer: Self.pathIssuer), http: http)
        let caller = try await verifier.verify(try makeJWT(Fixture.claims(iss: Self.pathIssuer), key: key))
        #expect(caller.subject == "user-1")
        #expect(http.gets == [Self.pathRFC8414, Self.pathJWKS])
    }

    @Test func openIDDiscoveryIsTheFallback() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Self.pathOIDC, json: ["issuer": .string(Self.pathIssuer), "jwks_uri": .string(Self.pathJWKS)])
        Fixture.publishKeys([key], on: http, at: Self.pathJWKS)
        let verifier = Fixture.verifier(Fixture.settings(issuer: Self.pathIssuer), http: http)
        let caller = try await verifier.verify(try makeJWT(Fixture.claims(iss: Self.pathIssuer), key: key))
        #expect(caller.subject == "user-1")
        #expect(http.gets == [Self.pathRFC8414, Self.pathOIDC, Self.pathJWKS])
    }

    @Test func metadataNamingAnotherIssuerIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Fixture.rfc8414URL, json: ["issuer": "https://attacker.example.test", "jwks_uri": .string(Fixture.jwksURL)])
        Fixture.publishKeys([key], on: http)
        let token = try makeJWT(Fixture.claims(), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "jwks_unavailable")
        #expect(http.getCount(Fixture.jwksURL) == 0, "the key set of a mismatched issuer is never read")
    }

    @Test func metadataWithoutJWKSURIIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Fixture.rfc8414URL, json: ["issuer": .string(Fixture.issuer)])
        let token = try makeJWT(Fixture.claims(), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "jwks_unavailable")
    }

    @Test func noMetadataAnywhereIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        let token = try makeJWT(Fixture.claims(), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "jwks_unavailable")
        #expect(refused.httpStatus == 401)
    }

    @Test func explicitJWKSURLSkipsDiscovery() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        let explicit = "https://keys.example.test/jwks.json"
        Fixture.publishKeys([key], on: http, at: explicit)
        let verifier = Fixture.verifier(Fixture.settings(jwksURL: explicit), http: http)
        #expect(try await verifier.verify(try makeJWT(Fixture.claims(), key: key)).subject == "user-1")
        #expect(http.gets == [explicit])
    }

    @Test func keySetThatIsNotJSONIsUnavailable() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Fixture.jwksURL, status: 200, body: Array("<html>".utf8))
        let verifier = Fixture.verifier(Fixture.settings(jwksURL: Fixture.jwksURL), http: http)
        let token = try makeJWT(Fixture.claims(), key: key)
        let refused = try #require(await refusal(verifier, token))
        #expect(refused.reason == "jwks_unavailable")
    }

    /// An issuer on plain HTTP (not loopback) publishing its keys, and a
    /// token it signed.
    static func plainHTTPIssuer() async throws -> (issuer: String, http: FakeAuthHTTP, token: String) {
        let issuer = "http://issuer.example.test"
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(issuer + "/.well-known/oauth-authorization-server", json: ["issuer": .string(issuer), "jwks_uri": .string(issuer + "/keys")])
        Fixture.publishKeys([key], on: http, at: issuer + "/keys")
        return (issuer, http, try makeJWT(Fixture.claims(iss: issuer), key: key))
    }

    @Test func plainHTTPIssuerIsRefused() async throws {
        let (issuer, http, token) = try await Self.plainHTTPIssuer()
        let refused = try #require(await refusal(Fixture.verifier(Fixture.settings(issuer: issuer), http: http), token))
        #expect(refused.kind == .invalidToken)
        #expect(refused.reason == "jwks_unavailable")
        #expect(http.requestCount == 0, "nothing is fetched over plain HTTP")
    }

    @Test func plainHTTPJWKSURLFromHTTPSMetadataIsRefused() async throws {
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(Fixture.rfc8414URL, json: ["issuer": .string(Fixture.issuer), "jwks_uri": "http://issuer.example.test/keys"])
        Fixture.publishKeys([key], on: http, at: "http://issuer.example.test/keys")
        let token = try makeJWT(Fixture.claims(), key: key)
        let refused = try #require(await refusal(Fixture.verifier(http: http), token))
        #expect(refused.reason == "jwks_unavailable")
        #expect(http.getCount("http://issuer.example.test/keys") == 0)
    }

    @Test func plainHTTPIssuerIsAcceptedWhenAllowed() async throws {
        let (issuer, http, token) = try await Self.plainHTTPIssuer()
        let verifier = Fixture.verifier(Fixture.settings(issuer: issuer, allowInsecure: true), http: http)
        #expect(try await verifier.verify(token).subject == "user-1")
    }

    @Test func loopbackHTTPIssuerIsAccepted() async throws {
        let issuer = "http://127.0.0.1:9000/api/oidc"
        let key = try await SigningKey.es256(kid: "k1")
        let http = FakeAuthHTTP()
        http.serve(
            "http://127.0.0.1:9000/.well-known/oauth-authorization-server/api/oidc",
            json: ["issuer": .string(issuer), "jwks_uri": "http://127.0.0.1:9000/api/oidc/jwks"])
        Fixture.publishKeys([key], on: http, at: "http://127.0.0.1:9000/api/oidc/jwks")
        let token = try makeJWT(Fixture.claims(iss: issuer), key: key)
        #expect(try await Fixture.verifier(Fixture.settings(issuer: issuer), http: http).verify(token).subject == "user-1")
    }

    @Test func acceptableURLs() {
        for url in ["https://a.example", "http://127.0.0.1", "http://127.0.0.1:8080/x", "http://localhost/keys", "http://[::1]:9/k"] {
            #expect(IssuerKeys.isAcceptable(url, allowInsecure: false), "\(url)")
        }
        for url in ["http://a.example", "http://localhost.evil.example/keys", "http://127.0.0.1.evil.example/", "ftp://x", "http://[::1]evil"] {
            #expect(!IssuerKeys.isAcceptable(url, allowInsecure: false), "\(url)")
        }
        #expect(IssuerKeys.isAcceptable("http://a.example", allowInsecure: true))
    }
}

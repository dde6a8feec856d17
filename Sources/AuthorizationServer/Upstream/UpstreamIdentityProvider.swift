import Caller
import Foundation
import GatehouseJSON
import Logging
import OAuth
import Synchronization

/// The team's OpenID Connect provider, which does the actual sign-in behind
/// this server: authorization code with PKCE and a nonce, through a client
/// the team registered there once.
///
/// Its ID tokens are checked by the same verifier that checks access tokens
/// at the MCP endpoint (signature from the provider's key set, `iss`, `aud`
/// equal to our client id, `exp`), and then for the nonce of this sign-in.
public struct UpstreamIdentityProvider: Sendable {
    public struct Settings: Sendable, Equatable {
        public var issuer: String
        public var clientID: String
        public var clientSecret: String
        public var scopes: [String]
        /// This server's callback, registered at the provider.
        public var redirectURI: String

        public init(issuer: String, clientID: String, clientSecret: String, scopes: [String] = ["openid", "email", "profile"], redirectURI: String) {
            self.issuer = issuer
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.scopes = scopes
            self.redirectURI = redirectURI
        }
    }

    /// The provider's endpoints, from its discovery document.
    public struct Endpoints: Sendable, Equatable {
        public var authorization: String
        public var token: String
    }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var description: String
        /// The provider answered and refused (a refresh token revoked or
        /// expired), rather than could not be asked.
        public var refused = false

        init(description: String, refused: Bool = false) {
            self.description = description
            self.refused = refused
        }
    }

    public let settings: Settings
    let http: any AuthHTTPClient
    let idTokens: JWTVerifier
    /// Discovery is read once and kept for a while: every sign-in needs the
    /// endpoints twice, and a provider's endpoints seldom change.
    let discovered: DiscoveryCache

    public init(settings: Settings, http: any AuthHTTPClient, logger: Logger, allowInsecure: Bool = false) {
        self.settings = settings
        self.http = http
        // ID tokens come straight from the provider's token endpoint, so an
        // unknown key id is a key the provider has just rotated in: fetched
        // at once, not after the throttle callers' tokens get. The email is
        // kept whatever its `email_verified`; the sign-in records that.
        self.idTokens = JWTVerifier(
            settings: AuthSettings(
                enabled: true, issuers: [.init(issuer: settings.issuer)], audiences: [settings.clientID],
                allowInsecureIssuers: allowInsecure, jwksRefreshInterval: .zero, allowUnverifiedEmail: true),
            http: http, logger: logger, kind: .idToken)
        self.discovered = DiscoveryCache()
    }

    final class DiscoveryCache: Sendable {
        let entry = Mutex<(endpoints: Endpoints, until: ContinuousClock.Instant)?>(nil)
        static let lifetime: Duration = .seconds(300)
    }

    public func endpoints() async throws(Failure) -> Endpoints {
        let now = ContinuousClock.now
        if let cached = discovered.entry.withLock({ $0 }), cached.until > now { return cached.endpoints }
        let endpoints = try await discover()
        discovered.entry.withLock { $0 = (endpoints, now + DiscoveryCache.lifetime) }
        return endpoints
    }

    func discover() async throws(Failure) -> Endpoints {
        let url = settings.issuer.trimmingSuffix("/") + "/.well-known/openid-configuration"
        let answer: (status: Int, body: [UInt8])
        do { answer = try await http.get(url) } catch { throw Failure(description: "the identity provider could not be reached: \(error)") }
        guard answer.status == 200, let document = try? JSONParser.parse(answer.body),
            document["issuer"]?.stringValue == settings.issuer,
            let authorization = document["authorization_endpoint"]?.stringValue,
            let token = document["token_endpoint"]?.stringValue
        else { throw Failure(description: "the identity provider's discovery document at \(url) is missing or does not name \(settings.issuer)") }
        return Endpoints(authorization: authorization, token: token)
    }

    /// Where to send the person's browser to sign in.
    public func signInURL(endpoints: Endpoints, state: String, nonce: String, codeVerifier: String) -> URL? {
        guard var components = URLComponents(string: endpoints.authorization) else { return nil }
        components.appendQueryItems([
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: settings.clientID),
            URLQueryItem(name: "redirect_uri", value: settings.redirectURI),
            URLQueryItem(name: "scope", value: settings.scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: PKCE.challenge(for: codeVerifier)),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ])
        return components.url
    }

    /// Who signed in, and the provider's tokens for them.
    public struct SignIn: Sendable {
        public var caller: CallerIdentity
        /// Absent when the provider returned no access token.
        public var tokens: UpstreamTokens?
    }

    /// Trades the provider's code for its ID token and returns the verified
    /// claims of the person who signed in, with the provider's tokens.
    public func signIn(
        endpoints: Endpoints, code: String, codeVerifier: String, nonce: String, now: Int64 = Int64(Date().timeIntervalSince1970)
    ) async throws(Failure) -> SignIn {
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try await http.postForm(
                endpoints.token,
                form: [
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
                    ("code_verifier", codeVerifier),
                ],
                basicAuth: (settings.clientID, settings.clientSecret))
        } catch {
            throw Failure(description: "the identity provider's token endpoint could not be reached")
        }
        guard answer.status == 200, let body = try? JSONParser.parse(answer.body), let idToken = body["id_token"]?.stringValue else {
            throw Failure(description: "the identity provider refused the sign-in (HTTP \(answer.status))")
        }
        let caller: CallerIdentity
        do { caller = try await idTokens.verify(idToken) } catch {
            // The verifier's texts name the ID token already.
            throw Failure(description: error.description)
        }
        guard caller.claims["nonce"]?.stringValue == nonce else {
            throw Failure(description: "the ID token's nonce does not match this sign-in")
        }
        guard caller.subject != nil else { throw Failure(description: "the ID token names no subject") }
        return SignIn(caller: caller, tokens: UpstreamTokens(answer: body, now: now))
    }

    /// A fresh access token from a refresh token (RFC 6749 §6).
    public func refresh(endpoints: Endpoints, _ tokens: UpstreamTokens, now: Int64) async throws(Failure) -> UpstreamTokens {
        guard let refreshToken = tokens.refreshToken else { throw Failure(description: "there is no refresh token to use") }
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try await http.postForm(
                endpoints.token, form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
                basicAuth: (settings.clientID, settings.clientSecret))
        } catch {
            throw Failure(description: "the identity provider's token endpoint could not be reached")
        }
        guard answer.status == 200, let body = try? JSONParser.parse(answer.body),
            let fresh = UpstreamTokens(answer: body, now: now, previousRefreshToken: refreshToken)
        else {
            throw Failure(
                description: "the identity provider refused the refresh (HTTP \(answer.status))", refused: (400..<500).contains(answer.status))
        }
        return fresh
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

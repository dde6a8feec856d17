import Foundation
import GatehouseJSON
import JWTKit
import Logging

/// The signing keys of one trusted issuer, fetched once and refreshed when a
/// token names a key we do not know (key rotation).
///
/// For tokens callers present, refreshes come at most once per
/// `refreshInterval`, so a stream of forged `kid`s cannot hammer the issuer.
/// ID tokens come from the provider's own token endpoint, never from a
/// caller, so their verifier uses an interval of zero: a key the provider
/// has just started to sign with is fetched at once (OpenID Connect Core
/// §10.1.1). Either way, tokens that arrive while a fetch is under way wait
/// for that fetch instead of starting another.
actor IssuerKeys {
    let issuer: AuthSettings.Issuer
    let http: any AuthHTTPClient
    let refreshInterval: Duration
    let allowInsecure: Bool
    let kind: TokenKind
    let logger: Logger

    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var keyCount = 0
    private var lastFetch: ContinuousClock.Instant?
    private var jwksURL: String?
    /// The fetch under way, which later arrivals join.
    private var fetching: Task<Result<Void, AuthFailure>, Never>?

    init(
        issuer: AuthSettings.Issuer, http: any AuthHTTPClient, refreshInterval: Duration, allowInsecure: Bool,
        kind: TokenKind = .accessToken, logger: Logger
    ) {
        self.issuer = issuer
        self.http = http
        self.refreshInterval = refreshInterval
        self.allowInsecure = allowInsecure
        self.kind = kind
        self.logger = logger
        self.jwksURL = issuer.jwksURL
    }

    /// The key collection that can check a token signed with `kid`.
    func collection(for kid: String?) async throws(AuthFailure) -> JWTKeyCollection {
        if let keys, Self.covers(kid: kid, kids: kids, keyCount: keyCount) { return keys }
        if let fetching {
            // Someone asked a moment ago: their answer is ours too.
            try await fetching.value.get()
            return try covering(kid)
        }
        // Refreshes are rate limited whether the last one worked or not:
        // anyone can write a trusted `iss` into a token.
        if let lastFetch, ContinuousClock.now - lastFetch < refreshInterval {
            if keys == nil {
                throw .invalidToken(
                    "the \(kind.name) cannot be checked: the issuer's signing keys are unavailable", reason: "jwks_unavailable")
            }
            throw .invalidToken("the \(kind.name)'s signing key is not one of the issuer's keys", reason: "unknown_kid")
        }
        let task = Task { await self.refreshOnce() }
        fetching = task
        try await task.value.get()
        return try covering(kid)
    }

    private func covering(_ kid: String?) throws(AuthFailure) -> JWTKeyCollection {
        guard let keys, Self.covers(kid: kid, kids: kids, keyCount: keyCount) else {
            throw .invalidToken(
                kid == nil ? "the \(kind.name) names no key id and the issuer has several keys"
                    : "the \(kind.name)'s signing key is not one of the issuer's keys",
                reason: "unknown_kid")
        }
        return keys
    }

    /// One fetch, shared by everyone waiting for it.
    private func refreshOnce() async -> Result<Void, AuthFailure> {
        defer { fetching = nil }
        do throws(AuthFailure) {
            try await refresh()
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    static func covers(kid: String?, kids: Set<String>, keyCount: Int) -> Bool {
        if let kid { return kids.contains(kid) }
        return keyCount == 1
    }

    private func refresh() async throws(AuthFailure) {
        lastFetch = .now
        do {
            let url: String
            if let jwksURL {
                url = jwksURL
            } else {
                url = try await discoverJWKSURL()
                jwksURL = url
            }
            let text = try await fetch(url, what: "key set")
            guard case .object(let set)? = try? JSONParser.parse(text), case .array(let entries)? = set["keys"] else {
                throw Problem("the key set is not a JSON object with keys")
            }
            // Encryption keys are skipped. A lone key may omit `kid`
            // (RFC 7517 makes it optional); it becomes the default key.
            let signing = entries.filter { $0["use"]?.stringValue != "enc" }
            let collection = JWTKeyCollection()
            var found = Set<String>()
            var count = 0
            for var entry in signing {
                if entry["kid"] == nil, signing.count == 1, case .object(var object) = entry {
                    object["kid"] = "default"
                    entry = .object(object)
                }
                do {
                    let key = try JSONDecoder().decode(JWK.self, from: Data(entry.jsonBytes))
                    _ = try await collection.add(jwk: key, isDefault: signing.count == 1)
                    count += 1
                    if let kid = entry["kid"]?.stringValue { found.insert(kid) }
                } catch {
                    logger.debug("skipping a key of \(issuer.issuer) that cannot verify signatures: \(error)")
                }
            }
            guard count > 0 else { throw Problem("the key set has no usable signing key") }
            keys = collection
            kids = found
            keyCount = count
            logger.info("loaded signing keys", metadata: ["issuer": .string(issuer.issuer), "keys": .stringConvertible(count)])
        } catch let problem as Problem {
            logger.error("cannot load signing keys of \(issuer.issuer): \(problem.message)")
            throw .invalidToken("the \(kind.name) cannot be checked: the issuer's signing keys are unavailable", reason: "jwks_unavailable")
        } catch {
            logger.error("cannot load signing keys of \(issuer.issuer): \(error)")
            throw .invalidToken("the \(kind.name) cannot be checked: the issuer's signing keys are unavailable", reason: "jwks_unavailable")
        }
    }

    struct Problem: Error { var message: String; init(_ message: String) { self.message = message } }

    /// RFC 8414 metadata first (path-inserted), then OpenID discovery; the
    /// document must name this issuer exactly.
    private func discoverJWKSURL() async throws -> String {
        for url in Self.metadataURLs(for: issuer.issuer) {
            guard let text = try? await fetch(url, what: "metadata"),
                case .object(let metadata)? = try? JSONParser.parse(text)
            else { continue }
            guard metadata["issuer"]?.stringValue == issuer.issuer else {
                throw Problem("metadata at \(url) names issuer \(metadata["issuer"]?.stringValue ?? "none"), not \(issuer.issuer)")
            }
            guard let jwks = metadata["jwks_uri"]?.stringValue else { throw Problem("metadata at \(url) has no jwks_uri") }
            return jwks
        }
        throw Problem("no authorization server metadata found for \(issuer.issuer)")
    }

    static func metadataURLs(for issuer: String) -> [String] {
        guard let schemeEnd = issuer.range(of: "://") else { return [] }
        let afterScheme = issuer[schemeEnd.upperBound...]
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let origin = String(issuer[..<slash])
        var path = String(afterScheme[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        var urls = [
            origin + "/.well-known/oauth-authorization-server" + path,
            origin + path + "/.well-known/openid-configuration",
        ]
        if !path.isEmpty { urls.append(origin + "/.well-known/openid-configuration" + path) }
        return urls
    }

    private func fetch(_ url: String, what: String) async throws -> String {
        guard Self.isAcceptable(url, allowInsecure: allowInsecure) else {
            throw Problem("\(what) URL \(url) must use https")
        }
        let (status, body) = try await http.get(url)
        guard status == 200 else { throw Problem("\(what) at \(url) answered HTTP \(status)") }
        guard body.count < 1 << 20 else { throw Problem("\(what) at \(url) is too large") }
        return String(decoding: body, as: UTF8.self)
    }

    /// HTTPS, or plain HTTP to a loopback address, or anything when allowed.
    static func isAcceptable(_ url: String, allowInsecure: Bool) -> Bool {
        AuthSettings.isAcceptableIssuerURL(url, allowInsecure: allowInsecure)
    }
}

import Caller
import ExtrasBase64
import Foundation
import GatehouseJSON
import JWTKit
import Logging

/// Checks JWTs from the trusted issuers: signature against the issuer's
/// published keys, then `iss`, `aud`, `exp` and `nbf`. The same rules serve
/// access tokens at the MCP endpoint and ID tokens from the identity
/// provider; ``TokenKind`` says which, for error texts and size limits.
///
/// The header is read before any key is touched: only asymmetric
/// algorithms are accepted, which rules out `none` and the HS256-with-a-
/// public-key confusion, a `crit` header is refused (no extension is
/// understood here), and a `kid` must name one of the issuer's keys
/// (JWTKit would otherwise fall back to a default key).
public struct JWTVerifier: TokenVerifier {
    public static let acceptedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    let settings: AuthSettings
    let kind: TokenKind
    let issuers: [String: IssuerKeys]
    /// Opaque tokens go here when introspection is configured.
    let opaque: (any TokenVerifier)?
    let now: @Sendable () -> Date

    public init(
        settings: AuthSettings, http: any AuthHTTPClient, logger: Logger, kind: TokenKind = .accessToken,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.settings = settings
        self.kind = kind
        var issuers: [String: IssuerKeys] = [:]
        for issuer in settings.issuers {
            issuers[issuer.issuer] = IssuerKeys(
                issuer: issuer, http: http, refreshInterval: settings.jwksRefreshInterval,
                allowInsecure: settings.allowInsecureIssuers, kind: kind, logger: logger)
        }
        self.issuers = issuers
        self.opaque = settings.introspection == nil ? nil : IntrospectionVerifier(settings: settings, http: http, now: now)
        self.now = now
    }

    public func verify(_ token: String) async throws(AuthFailure) -> CallerIdentity {
        let name = kind.name
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            if let opaque { return try await opaque.verify(token) }
            throw .invalidToken("the \(name) is not a JWT", reason: "malformed")
        }
        let limit = kind.maximumSectionBytes
        guard parts[0].utf8.count <= limit, parts[1].utf8.count <= limit else {
            throw .invalidToken("the \(name) is too large (at most \(limit / 1024) KiB per section)", reason: "malformed")
        }
        guard case .object(let header)? = Self.decodeSegment(parts[0]),
            case .object(let claims)? = Self.decodeSegment(parts[1])
        else { throw .invalidToken("the \(name) is malformed", reason: "malformed") }
        guard let algorithm = header["alg"]?.stringValue, Self.acceptedAlgorithms.contains(algorithm) else {
            throw .invalidToken("the \(name)'s signing algorithm is not accepted", reason: "algorithm")
        }
        switch CriticalHeader.problem(in: header) {
        case nil: break
        case .malformed?: throw .invalidToken("the \(name)'s crit header is malformed", reason: "crit")
        case .unsupported?:
            throw .invalidToken("the \(name) names critical header extensions this server does not support", reason: "crit")
        }
        guard let issuer = claims["iss"]?.stringValue, let keys = issuers[issuer] else {
            throw .invalidToken("the \(name) was not issued by a trusted issuer", reason: "issuer")
        }
        let collection = try await keys.collection(for: header["kid"]?.stringValue)
        do {
            _ = try await collection.verify(token, as: SignatureOnly.self)
        } catch {
            throw .invalidToken("the \(name)'s signature is not valid", reason: "signature")
        }
        return try ClaimChecks(settings: settings, kind: kind, now: now()).caller(from: claims)
    }

    /// The JSON of one base64url section; the caller bounds its size.
    static func decodeSegment(_ segment: Substring) -> JSONValue? {
        guard let bytes = try? Base64.decode(bytes: segment.utf8, options: [.base64UrlAlphabet, .omitPaddingCharacter])
        else { return nil }
        return try? JSONParser.parse(bytes)
    }
}

/// JWTKit checks the signature; the claims are checked by ``ClaimChecks``,
/// which knows the audiences, the clock skew and the scope formats.
struct SignatureOnly: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The claim rules shared by JWT and introspected tokens.
struct ClaimChecks {
    let settings: AuthSettings
    var kind: TokenKind = .accessToken
    let now: Date

    func caller(from claims: JSONObject, requireExpiry: Bool = true) throws(AuthFailure) -> CallerIdentity {
        let skew = Double(settings.clockSkew.components.seconds)
        let time = now.timeIntervalSince1970
        if let exp = claims["exp"]?.doubleValue {
            guard time <= exp + skew else { throw .invalidToken("the \(kind.name) has expired", reason: "expired") }
        } else if requireExpiry {
            throw .invalidToken("the \(kind.name) has no expiry", reason: "malformed")
        }
        if let nbf = claims["nbf"]?.doubleValue, time + skew < nbf {
            throw .invalidToken("the \(kind.name) is not valid yet", reason: "not_yet_valid")
        }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let single)?: audiences = [single]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(where: settings.accepts(audience:)) else {
            throw .invalidToken("the \(kind.name) is not meant for this server (audience)", reason: "audience")
        }
        var scopes = Set<String>()
        if let scope = claims["scope"]?.stringValue { scopes.formUnion(scope.split(separator: " ").map(String.init)) }
        switch claims["scp"] {
        case .string(let scp)?: scopes.formUnion(scp.split(separator: " ").map(String.init))
        case .array(let scp)?: scopes.formUnion(scp.compactMap(\.stringValue))
        default: break
        }
        var exposed = claims
        var email = claims["email"]?.stringValue
        let withheld = email != nil && !settings.allowUnverifiedEmail && Self.saysUnverified(claims["email_verified"])
        if withheld {
            // Not an identity: neither `user.email` nor `user.claims.email`.
            email = nil
            exposed.removeValue(forKey: "email")
        }
        var caller = CallerIdentity(
            subject: claims["sub"]?.stringValue,
            email: email,
            name: claims["name"]?.stringValue ?? claims["preferred_username"]?.stringValue ?? claims["username"]?.stringValue,
            claims: exposed, scopes: scopes, emailUnverified: withheld)
        caller.audiences = audiences
        return caller
    }

    /// OpenID Connect's `email_verified` (§5.1), as a boolean or, from some
    /// issuers, the string `"true"`. Absent says nothing: many issuers put
    /// `email` in access tokens without it. Anything else present but not
    /// true counts as unverified.
    static func saysUnverified(_ value: JSONValue?) -> Bool {
        switch value {
        case nil: false
        case .bool(let verified)?: !verified
        case .string(let text)?: text.lowercased() != "true"
        default: true
        }
    }
}

import Foundation
import GatehouseJSON

/// A token an endpoint issued, as the gateway keeps it.
public struct IssuedToken: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    /// `expires_in` as the endpoint said it, in seconds.
    public var expiresIn: Int64?
    /// When it stops being good, on the monotonic clock caches use; nil
    /// when the issuer did not say.
    public var expiresAt: ContinuousClock.Instant?
    public var issuedTokenType: String?
    public var scope: String?

    public init(
        accessToken: String, refreshToken: String? = nil, expiresIn: Int64? = nil, expiresAt: ContinuousClock.Instant? = nil,
        issuedTokenType: String? = nil, scope: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
        self.expiresAt = expiresAt
        self.issuedTokenType = issuedTokenType
        self.scope = scope
    }

    /// A time given in seconds since 1970 on the monotonic clock, for
    /// expiries that were stored rather than just issued.
    public static func instant(epochSeconds: Int64, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        now + .seconds(Double(epochSeconds) - Date().timeIntervalSince1970)
    }

    /// An endpoint's successful answer (RFC 6749 §5.1, RFC 8693 §2.2.1):
    /// `access_token` and a `token_type` of `Bearer` (or `N_A` for an
    /// exchanged token that is not an access token).
    init(answer: JSONValue, now: ContinuousClock.Instant) throws(GrantFailure) {
        guard let access = answer["access_token"]?.stringValue, !access.isEmpty else {
            throw GrantFailure(.badAnswer, "the answer has no access_token")
        }
        guard let type = answer["token_type"]?.stringValue, ["bearer", "n_a"].contains(type.lowercased()) else {
            throw GrantFailure(.badAnswer, "the answer's token_type is not Bearer")
        }
        self.accessToken = access
        self.refreshToken = answer["refresh_token"]?.stringValue
        self.expiresIn = answer["expires_in"]?.integerValue ?? answer["expires_in"]?.stringValue.flatMap { Int64($0) }
        self.expiresAt = expiresIn.map { now + .seconds($0) }
        self.issuedTokenType = answer["issued_token_type"]?.stringValue
        self.scope = answer["scope"]?.stringValue
    }
}

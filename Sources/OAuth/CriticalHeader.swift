import GatehouseJSON

/// The `crit` JOSE header (RFC 7515 §4.1.11): extensions the signer says a
/// verifier must understand, or else refuse the token. This verifier
/// understands none, so any well-formed `crit` is a refusal too; a token
/// that names one may mean something other than what its claims say
/// (unencoded payloads, for one).
enum CriticalHeader {
    /// Header names the JWS, JWE and JWA specifications define; `crit` must
    /// not list them.
    static let registered: Set<String> = [
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
        "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
    ]

    enum Problem: Equatable {
        /// Not a non-empty array of distinct strings, or lists a registered name.
        case malformed
        /// Well formed, but names extensions this verifier does not implement.
        case unsupported
    }

    /// Why the header cannot be accepted, or nil when it has no `crit`.
    static func problem(in header: JSONObject) -> Problem? {
        guard let value = header["crit"] else { return nil }
        guard case .array(let items) = value, !items.isEmpty else { return .malformed }
        var names = Set<String>()
        for item in items {
            guard let name = item.stringValue, !name.isEmpty, !registered.contains(name), names.insert(name).inserted else {
                return .malformed
            }
        }
        return .unsupported
    }
}

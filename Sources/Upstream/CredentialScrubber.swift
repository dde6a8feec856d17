/// Masks anything in an upstream's error text that looks like a credential.
///
/// ``SecretRedactor`` removes the values the gateway itself sent; this
/// catches the rest an error page may quote: another header the upstream
/// echoed, a token it minted, a proxy's debugging dump. It only runs on the
/// short excerpts quoted in tool errors, never on successful answers, where
/// such words are ordinary data.
public enum CredentialScrubber {
    /// `Bearer <token>` and the like: the scheme stays, the token goes.
    nonisolated(unsafe) static let schemeToken = try! Regex(
        #"(?i)\b(bearer|basic|digest|token|apikey)(\s+)[A-Za-z0-9\-._~+/]{8,}=*"#)
    /// `"api_key": "…"`, `X-Api-Key: …`, `password=…`: the name stays, the
    /// value goes.
    nonisolated(unsafe) static let namedValue = try! Regex(
        #"(?i)((?:proxy-)?authorization|x-api-key|api[-_]?key|apikey|x-auth-token|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret|password|passwd|set-cookie|cookie|session[-_]?id)(["']?\s*[:=]\s*["']?)([^"'\s,;&}\]]+)"#)

    public static let mask = "[REDACTED]"

    public static func scrub(_ text: String) -> String {
        var result = text.replacing(schemeToken) { match in
            "\(match.output[1].substring ?? "")\(match.output[2].substring ?? "")\(mask)"
        }
        result = result.replacing(namedValue) { match in
            let value = match.output[3].substring ?? ""
            // `"Authorization": "Bearer [REDACTED]"` is already clean.
            if value == mask || value.lowercased() == "bearer" || value.lowercased() == "basic" { return Substring(match.output[0].substring ?? "") }
            return Substring("\(match.output[1].substring ?? "")\(match.output[2].substring ?? "")\(mask)")
        }
        return result
    }
}

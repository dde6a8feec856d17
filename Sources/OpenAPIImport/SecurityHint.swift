import OpenAPIKit

/// Comment lines telling how the API expects to be authenticated, with an
/// `auth:` section to uncomment.
///
/// The section is not written live: it would need a secret, and a file
/// naming an unset `${env:…}` variable fails `gatehouse check`.
enum SecurityHint {
    static func lines(schemes: [(name: String, scheme: OpenAPI.SecurityScheme)], connectorName: String) -> [String] {
        guard !schemes.isEmpty else { return [] }
        let variable = connectorName.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let described = schemes.map { "\($0.name) (\(describe($0.scheme.type)))" }.joined(separator: ", ")
        var lines = Text.wrap("The API declares these ways to authenticate: \(described).", width: 96)
        // A key or password the API hands out is simpler to set up than a
        // token from an OAuth flow, so those come first.
        let ordered = schemes.filter { !isTokenFlow($0.scheme.type) } + schemes.filter { isTokenFlow($0.scheme.type) }
        guard let example = ordered.lazy.compactMap({ auth(for: $0.scheme.type, variable: variable) }).first else {
            lines += Text.wrap("None of them maps onto the connector's auth section; see docs/connectors.md.", width: 96)
            return lines
        }
        lines.append("To send credentials, add an auth section (see docs/connectors.md), for example:")
        lines.append("  auth:")
        lines.append("    \(example)")
        return lines
    }

    private static func isTokenFlow(_ type: OpenAPI.SecurityScheme.SecurityType) -> Bool {
        switch type {
        case .oauth2, .openIdConnect: true
        default: false
        }
    }

    private static func describe(_ type: OpenAPI.SecurityScheme.SecurityType) -> String {
        switch type {
        case .apiKey(let name, let location): "API key in the \(location.rawValue) '\(name)'"
        case .http(let scheme, _): "HTTP \(scheme)"
        case .oauth2: "OAuth 2.0"
        case .openIdConnect: "OpenID Connect"
        case .mutualTLS: "mutual TLS"
        }
    }

    private static func auth(for type: OpenAPI.SecurityScheme.SecurityType, variable: String) -> String? {
        switch type {
        case .apiKey(let name, .header):
            "api_key: { header: \(YAMLScalar.render(name, in: .flow)), value: \"${env:\(variable)_API_KEY}\" }"
        case .apiKey(let name, .query):
            "api_key: { query: \(YAMLScalar.render(name, in: .flow)), value: \"${env:\(variable)_API_KEY}\" }"
        case .http(let scheme, _) where scheme.lowercased() == "basic":
            "basic: { username: \"${env:\(variable)_USERNAME}\", password: \"${env:\(variable)_PASSWORD}\" }"
        case .http(let scheme, _) where scheme.lowercased() == "bearer":
            "bearer: \"${env:\(variable)_TOKEN}\""
        case .oauth2, .openIdConnect:
            "bearer: \"${env:\(variable)_TOKEN}\"   # a token issued for the API"
        default:
            nil
        }
    }
}

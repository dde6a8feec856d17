import Foundation
import GatehouseJSON
import Yams

/// `auth:`: how the gateway authenticates to the API, exactly one of
/// ``AuthKind``.
extension ConnectorReader {
    mutating func readAuth(_ node: Yams.Node) -> UpstreamAuth? {
        guard let kinds = decoding.mapping(node, "auth", keys: AuthKind.self) else { return nil }
        guard kinds.entries.count == 1, case let (kind, entry)? = kinds.keyed.first.map({ ($0.key, $0.entry) }) else {
            decoding.error(node, "auth must have exactly one of: \(AuthKind.names.joined(separator: ", "))")
            return nil
        }
        switch kind {
        case .bearer:
            guard let raw = decoding.string(entry.value, "auth.bearer"), let token = resolveSecrets(raw, entry.value) else { return nil }
            guard checkHeaderValue(token, entry.value, "auth.bearer") else { return nil }
            return .bearer(token: token)
        case .basic:
            guard let byKey = decoding.mapping(entry.value, "auth.basic", keys: BasicAuthKey.self) else { return nil }
            guard let u = byKey[.username], let p = byKey[.password] else {
                decoding.error(entry.value, "auth.basic needs username and password")
                return nil
            }
            guard let username = decoding.string(u.value, "auth.basic.username").flatMap({ resolveSecrets($0, u.value) }),
                let password = decoding.string(p.value, "auth.basic.password").flatMap({ resolveSecrets($0, p.value) })
            else { return nil }
            guard !username.contains(":") else {
                decoding.error(u.value, "auth.basic.username must not contain ':'")
                return nil
            }
            return .basic(username: username, password: password)
        case .apiKey:
            guard let byKey = decoding.mapping(entry.value, "auth.api_key", keys: APIKeyAuthKey.self) else { return nil }
            guard let v = byKey[.value], let raw = decoding.string(v.value, "auth.api_key.value"),
                let value = resolveSecrets(raw, v.value)
            else {
                if byKey[.value] == nil { decoding.error(entry.value, "auth.api_key needs a value") }
                return nil
            }
            switch (byKey[.header], byKey[.query]) {
            case (let h?, nil):
                guard let name = decoding.string(h.value, "auth.api_key.header"), checkHeaderName(name, h.value),
                    checkHeaderValue(value, v.value, "auth.api_key.value")
                else { return nil }
                return .apiKeyHeader(name: name, value: value)
            case (nil, let q?):
                guard let name = decoding.string(q.value, "auth.api_key.query") else { return nil }
                return .apiKeyQuery(name: name, value: value)
            default:
                decoding.error(entry.value, "auth.api_key needs exactly one of header or query")
                return nil
            }
        case .clientCredentials:
            guard let byKey = decoding.mapping(entry.value, "auth.client_credentials", keys: ClientCredentialsKey.self),
                let client = readOAuthClient(byKey, entry.value, "auth.client_credentials")
            else { return nil }
            return .clientCredentials(
                ClientCredentialsGrant(
                    client: client, audience: optionalText(byKey[.audience], "auth.client_credentials.audience"),
                    resource: optionalURL(byKey[.resource], "auth.client_credentials.resource")))
        case .signInToken:
            guard decoding.mapping(entry.value, "auth.sign_in_token", allowed: []) != nil else { return nil }
            return .signInToken
        case .tokenExchange:
            guard let byKey = decoding.mapping(entry.value, "auth.token_exchange", keys: TokenExchangeKey.self),
                let client = readOAuthClient(byKey, entry.value, "auth.token_exchange")
            else { return nil }
            let audience = optionalText(byKey[.audience], "auth.token_exchange.audience")
            let resource = optionalURL(byKey[.resource], "auth.token_exchange.resource")
            if audience == nil, resource == nil, client.scope == nil {
                decoding.error(entry.value, "auth.token_exchange needs audience, resource or scope: which API the token is for")
                return nil
            }
            return .tokenExchange(
                TokenExchangeGrant(
                    style: .rfc8693, client: client, audience: audience, resource: resource,
                    requestedTokenType: optionalText(byKey[.requestedTokenType], "auth.token_exchange.requested_token_type")))
        case .onBehalfOf:
            guard let byKey = decoding.mapping(entry.value, "auth.on_behalf_of", keys: OnBehalfOfKey.self),
                let client = readOAuthClient(byKey, entry.value, "auth.on_behalf_of")
            else { return nil }
            guard client.scope != nil else {
                decoding.error(entry.value, "auth.on_behalf_of needs scope (e.g. 'api://orders/.default')")
                return nil
            }
            guard client.clientSecret != nil else {
                decoding.error(entry.value, "auth.on_behalf_of needs client_secret")
                return nil
            }
            return .tokenExchange(TokenExchangeGrant(style: .onBehalfOf, client: client))
        case .linkedAccount:
            guard let byKey = decoding.mapping(entry.value, "auth.linked_account", keys: LinkedAccountKey.self),
                let client = readOAuthClient(byKey, entry.value, "auth.linked_account")
            else { return nil }
            let authorizationURL = optionalURL(byKey[.authorizationURL], "auth.linked_account.authorization_url")
            if case .tokenURL = client.endpoint, authorizationURL == nil {
                decoding.error(entry.value, "auth.linked_account needs authorization_url with token_url (or issuer alone)")
                return nil
            }
            if case .issuer = client.endpoint, byKey[.authorizationURL] != nil {
                decoding.error(entry.value, "auth.linked_account takes issuer or authorization_url and token_url, not both")
                return nil
            }
            return .linkedAccount(
                LinkedAccountProvider(
                    client: client, authorizationURL: authorizationURL, title: optionalText(byKey[.title], "auth.linked_account.title")))
        case .userAPIKey:
            guard let byKey = decoding.mapping(entry.value, "auth.user_api_key", keys: UserAPIKeyKey.self) else { return nil }
            let location: UserAPIKeyPlacement.Location
            switch (byKey[.header], byKey[.query]) {
            case (let h?, nil):
                guard let name = decoding.string(h.value, "auth.user_api_key.header"), checkHeaderName(name, h.value) else { return nil }
                location = .header(name)
            case (nil, let q?):
                guard let name = decoding.string(q.value, "auth.user_api_key.query"), !name.isEmpty else { return nil }
                location = .query(name)
            default:
                decoding.error(entry.value, "auth.user_api_key needs exactly one of header or query")
                return nil
            }
            var prefix = ""
            if let p = byKey[.prefix] {
                guard let text = decoding.string(p.value, "auth.user_api_key.prefix"), checkHeaderValue(text, p.value, "auth.user_api_key.prefix")
                else { return nil }
                guard case .header = location else {
                    decoding.error(p.value, "auth.user_api_key.prefix needs header")
                    return nil
                }
                prefix = text
            }
            return .userAPIKey(
                UserAPIKeyPlacement(
                    location: location, prefix: prefix,
                    instructions: optionalText(byKey[.instructions], "auth.user_api_key.instructions"),
                    title: optionalText(byKey[.title], "auth.user_api_key.title")))
        }
    }

    /// The keys every OAuth client section shares: exactly one of
    /// `token_url` and `issuer`, the client id and (from secrets) its secret.
    mutating func readOAuthClient<Key: OAuthClientKey>(_ byKey: Section<Key>, _ node: Yams.Node, _ what: String) -> OAuthClientSettings? {
        let endpoint: OAuthClientSettings.Endpoint
        switch (byKey[.tokenURL], byKey[.issuer]) {
        case (let t?, nil):
            guard let url = optionalURL(t, "\(what).token_url") else { return nil }
            endpoint = .tokenURL(url)
        case (nil, let i?):
            guard let url = optionalURL(i, "\(what).issuer") else { return nil }
            endpoint = .issuer(url)
        default:
            decoding.error(node, "\(what) needs exactly one of token_url or issuer")
            return nil
        }
        guard let id = byKey[.clientID] else {
            decoding.error(node, "\(what) needs client_id")
            return nil
        }
        guard let clientID = decoding.string(id.value, "\(what).client_id").flatMap({ resolveSecrets($0, id.value) }), !clientID.isEmpty
        else { return nil }
        var secret: String?
        if let s = byKey[.clientSecret] {
            guard let text = decoding.string(s.value, "\(what).client_secret").flatMap({ resolveSecrets($0, s.value) }) else { return nil }
            secret = text
        }
        var authentication = OAuthClientSettings.Authentication.basic
        if let a = byKey[.clientAuth] {
            guard let text = decoding.string(a.value, "\(what).client_auth") else { return nil }
            guard let method = OAuthClientSettings.Authentication(rawValue: text) else {
                decoding.error(a.value, "\(what).client_auth must be client_secret_basic or client_secret_post")
                return nil
            }
            authentication = method
        }
        var scope: String?
        if let entry = byKey[.scope] {
            guard let scopes = readScopes(entry.value) else { return nil }
            scope = scopes.isEmpty ? nil : scopes.joined(separator: " ")
        }
        return OAuthClientSettings(endpoint: endpoint, clientID: clientID, clientSecret: secret, authentication: authentication, scope: scope)
    }

    mutating func optionalText(_ entry: YAMLDecoding.Entry?, _ what: String) -> String? {
        guard let entry, let text = decoding.string(entry.value, what) else { return nil }
        guard HTTPSyntax.isHeaderValue(text) else {
            decoding.error(entry.value, "\(what) must not contain line breaks")
            return nil
        }
        return text
    }

    /// An absolute `http(s)` URL without credentials or a fragment, for the
    /// endpoints the gateway calls or sends browsers to.
    mutating func optionalURL(_ entry: YAMLDecoding.Entry?, _ what: String) -> String? {
        guard let entry, let raw = decoding.string(entry.value, what), let text = resolveSecrets(raw, entry.value) else { return nil }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, url.fragment == nil
        else {
            decoding.error(entry.value, "\(what) must be an absolute http:// or https:// URL without credentials or a fragment")
            return nil
        }
        return text
    }
}

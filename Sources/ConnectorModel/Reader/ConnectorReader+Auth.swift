import GatehouseJSON
import Yams

/// `auth:`: how the gateway authenticates to the API, exactly one of
/// ``AuthKind``.
extension ConnectorReader {
    mutating func readAuth(_ node: Yams.Node) -> UpstreamAuth? {
        guard let kinds = decoding.mapping(node, "auth", keys: AuthKind.self) else { return nil }
        guard kinds.entries.count == 1, case let (kind, entry)? = kinds.keyed.first.map({ ($0.key, $0.entry) }) else {
            decoding.error(node, "auth must have exactly one of: bearer, basic, api_key")
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
        }
    }
}

import AuthorizationServer
import Configuration
import Foundation
import GatehouseJSON
import OAuth
import RateLimiting

/// How the built-in authorization server (`GATEHOUSE_AUTH=builtin`) is set
/// up: the team's identity provider behind it, where it keeps its state,
/// and how long what it issues lives.
public struct AuthorizationServerSettings: Sendable {
    typealias D = SettingDeclaration

    /// The OpenID Connect provider people actually sign in at.
    public var upstream: UpstreamIdentityProvider.Settings
    public var allowInsecureUpstream = false
    public var scopeMapping = ScopeMapping()
    /// Clients the operator lists, for clients that can neither register
    /// nor publish a metadata document.
    public var staticClients: [StaticClient] = []
    /// A SQLite file path, or a `postgres://` URL when replicas share state.
    public var store: String = "gatehouse-auth.sqlite"
    /// Seals signing keys at rest; at least 32 bytes.
    public var storeSecret: [UInt8]
    /// Secrets used before ``storeSecret``, still opening what they sealed.
    public var previousStoreSecrets: [[UInt8]] = []
    public var accessTokenLifetime: Int64 = 900
    public var refreshTokenLifetime: Int64 = 30 * 86_400
    public var codeLifetime: Int64 = 60
    public var keyRotation: Int64 = 30 * 86_400
    public var redirectAllowList = RedirectURIPolicy.defaultAllowed
    /// Lets client metadata documents live on loopback or private addresses.
    public var allowInternalMetadataDocuments = false
    /// Registrations per client address.
    public var registrationRate = RateLimit(requests: 20, period: .seconds(3600), burst: 10)

    public struct StaticClient: Sendable, Equatable {
        public var client: RegisteredClient
        public var secret: String?
    }

    public var isPostgres: Bool { Self.isPostgres(store) }

    static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// `GATEHOUSE_AUTH_STORE_PREVIOUS_SECRETS_FILE`: one secret per line.
    static func previousSecrets(_ reader: ConfigReader) throws -> [[UInt8]] {
        guard let file = reader.string(forKey: D.storePreviousSecretsFile.configKey) else { return [] }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw Invalid(description: "cannot read GATEHOUSE_AUTH_STORE_PREVIOUS_SECRETS_FILE \(file)")
        }
        return text.split(whereSeparator: \.isNewline).map { Array($0.trimmingCharacters(in: .whitespaces).utf8) }.filter { !$0.isEmpty }
    }

    init(reader: ConfigReader, publicURL: String) throws {
        guard let issuer = reader.string(forKey: D.upstreamIssuer.configKey) else {
            throw Invalid(description: "built-in authorization needs GATEHOUSE_AUTH_UPSTREAM_ISSUER (your identity provider)")
        }
        guard let clientID = reader.string(forKey: D.upstreamClientID.configKey) else {
            throw Invalid(description: "built-in authorization needs GATEHOUSE_AUTH_UPSTREAM_CLIENT_ID")
        }
        guard let secret = try reader.secret(D.upstreamClientSecret) else {
            throw Invalid(description: "built-in authorization needs GATEHOUSE_AUTH_UPSTREAM_CLIENT_SECRET or _FILE")
        }
        var scopes = GatewaySettings.list(reader.string(forKey: D.upstreamScopes.configKey))
        if scopes.isEmpty { scopes = GatewaySettings.list(D.upstreamScopes.defaultValue) }
        if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
        upstream = .init(
            issuer: issuer, clientID: clientID, clientSecret: secret, scopes: scopes, redirectURI: publicURL + "/oauth/callback")
        allowInsecureUpstream = reader.bool(forKey: D.authAllowInsecureIssuers.configKey, default: false)
        guard URL(string: issuer)?.host != nil, AuthSettings.isAcceptableIssuerURL(issuer, allowInsecure: allowInsecureUpstream) else {
            throw Invalid(description: "GATEHOUSE_AUTH_UPSTREAM_ISSUER '\(issuer)' must be an https URL (http only on loopback, or with GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS)")
        }
        if let mapping = reader.string(forKey: D.scopeMapping.configKey) {
            scopeMapping = try Self.scopeMapping(mapping)
        }
        if let clients = reader.string(forKey: D.clients.configKey) {
            staticClients = try Self.staticClients(clients)
        }
        store = reader.string(forKey: D.store.configKey, default: D.store.defaultValue!)
        guard let storeSecret = try reader.secret(D.storeSecret) else {
            throw Invalid(description: "built-in authorization needs GATEHOUSE_AUTH_STORE_SECRET or _FILE (32 or more bytes, e.g. from openssl rand -base64 48)")
        }
        guard storeSecret.utf8.count >= 32 else { throw Invalid(description: "GATEHOUSE_AUTH_STORE_SECRET must be at least 32 bytes") }
        self.storeSecret = Array(storeSecret.utf8)
        previousStoreSecrets = try Self.previousSecrets(reader)
        accessTokenLifetime = try Self.bounded(reader, D.accessTokenSeconds)
        refreshTokenLifetime = try Self.bounded(reader, D.refreshTokenDays) * 86_400
        codeLifetime = try Self.bounded(reader, D.codeSeconds)
        keyRotation = try Self.bounded(reader, D.keyRotationDays) * 86_400
        let allow = GatewaySettings.list(reader.string(forKey: D.redirectAllow.configKey))
        if !allow.isEmpty { redirectAllowList = allow }
        allowInternalMetadataDocuments = reader.bool(forKey: D.metadataDocumentsAllowInternal.configKey, default: false)
        if let rate = reader.string(forKey: D.registrationRate.configKey) {
            guard let parsed = RateLimit(shorthand: rate) else {
                throw Invalid(description: "registration rate '\(rate)' must look like 20/hour")
            }
            registrationRate = parsed
        }
    }

    static func bounded(_ reader: ConfigReader, _ setting: SettingDeclaration) throws -> Int64 {
        let range = setting.range!
        let number = reader.int(forKey: setting.configKey, default: setting.intDefault)
        guard range.contains(number) else {
            throw Invalid(description: "\(setting.key) must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return Int64(number)
    }

    /// `* -> mcp; groups=support|ops -> tickets:read tickets:write`: rules
    /// separated by `;`, `*` for scopes everyone signed in gets, otherwise
    /// a claim and the values (any of, `|`-separated) that earn the scopes.
    static func scopeMapping(_ text: String) throws -> ScopeMapping {
        var mapping = ScopeMapping()
        for entry in text.split(separator: ";") {
            let parts = entry.components(separatedBy: "->")
            guard parts.count == 2 else { throw Invalid(description: "scope mapping rule '\(entry)' must look like claim=value -> scope") }
            let condition = parts[0].trimmingCharacters(in: .whitespaces)
            let scopes = GatewaySettings.list(parts[1])
            guard !scopes.isEmpty else { throw Invalid(description: "scope mapping rule '\(entry)' names no scope") }
            if condition == "*" {
                mapping.baseScopes.append(contentsOf: scopes)
                continue
            }
            let sides = condition.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                throw Invalid(description: "scope mapping rule '\(entry)' must start with * or claim=value")
            }
            mapping.rules.append(.init(claim: sides[0], values: sides[1].split(separator: "|").map(String.init), scopes: scopes))
        }
        return mapping
    }

    static func staticClients(_ text: String) throws -> [StaticClient] {
        guard case .array(let items) = try? JSONParser.parse(Array(text.utf8)) else {
            throw Invalid(description: "GATEHOUSE_AUTH_CLIENTS must be a JSON array of clients")
        }
        var clients: [StaticClient] = []
        for item in items {
            guard let object = item.objectValue, let id = object["client_id"]?.stringValue, !id.isEmpty,
                case .array(let uris) = object["redirect_uris"] ?? .null, !uris.isEmpty
            else {
                throw Invalid(description: "each static client needs client_id and a non-empty redirect_uris")
            }
            var secret = object["client_secret"]?.stringValue
            if let file = object["client_secret_file"]?.stringValue {
                do {
                    secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                } catch {
                    throw Invalid(description: "static client \(id): cannot read \(file)")
                }
            }
            let client = RegisteredClient(
                clientID: id, origin: .static, name: object["client_name"]?.stringValue,
                redirectURIs: uris.compactMap(\.stringValue),
                tokenEndpointAuthMethod: secret == nil ? "none" : "client_secret_basic")
            clients.append(StaticClient(client: client, secret: secret))
        }
        return clients
    }
}

import Catalog
import Configuration
import Foundation
import Logging
import OAuth

/// Everything `gatehouse serve` can be told, read from flags first and then
/// from `GATEHOUSE_*` environment variables (key `gatehouse.public.url` is
/// the variable `GATEHOUSE_PUBLIC_URL`). Keys, defaults and ranges come
/// from the declarations in `Settings/`; read once, at start-up.
public struct GatewaySettings: Sendable {
    typealias D = SettingDeclaration

    public var host: String = SettingDeclaration.host.defaultValue!
    public var port: Int = SettingDeclaration.port.intDefault
    public var connectorsPath: String = SettingDeclaration.connectors.defaultValue!
    /// The URL clients use to reach this server, e.g. `https://mcp.example.com`.
    public var publicURL: String?
    public var logLevel: Logger.Level = .info
    /// JSON lines for log collectors, or text for people.
    public var logFormat: LogFormat = .json
    /// Whether audit lines carry argument values, not only their names.
    public var auditArgumentValues = false
    /// How long in-flight calls may take to finish after SIGTERM.
    public var shutdownGrace: Duration = .seconds(SettingDeclaration.shutdownGrace.intDefault)
    /// How long `/readyz` answers 503 after SIGTERM before the listener
    /// closes, so load balancers stop sending traffic first.
    public var shutdownDelay: Duration = .seconds(SettingDeclaration.shutdownDelay.intDefault)
    /// How much of the connector folder a reload reads.
    public var loadLimits = LoadLimits()
    /// Timeouts for slow or silent clients and the cap on open connections.
    public var connections = ConnectionLimits()
    /// A second listener for `/status` and `/metrics` (and the probes), so
    /// they need not be reachable where `/mcp` is.
    public var operationsHost: String?
    public var operationsPort: Int?
    public var allowedOrigins: [String] = []
    public var maxBodyBytes: Int = SettingDeclaration.maxBodyBytes.intDefault
    /// Shared by replicas so any of them can verify a legacy session id.
    public var sessionSecret: String?
    /// Whether a tool with `confirm:` runs for a client that cannot ask.
    public var confirmWithoutElicitation = false
    /// How long a legacy call waits for a confirmation's answer.
    public var confirmTimeout: Duration = .seconds(SettingDeclaration.confirmTimeout.intDefault)
    public var pageSize: Int = SettingDeclaration.pageSize.intDefault
    public var listTTLMilliseconds: Int = SettingDeclaration.listTTL.intDefault
    /// How folder changes are noticed.
    public var watchMode: WatchMode = .auto
    /// How often polling looks at the folder (the only way in `poll` mode,
    /// a safety net beside inotify in `auto` mode).
    public var pollInterval: Duration = .milliseconds(SettingDeclaration.pollInterval.intDefault)
    /// How long a reload waits after the first change, so a burst of events
    /// (an editor's save, a ConfigMap swap) becomes one reload.
    public var reloadDebounce: Duration = .milliseconds(SettingDeclaration.reloadDebounce.intDefault)
    /// How often idle notification streams get a keep-alive comment.
    public var keepAliveInterval: Duration = .seconds(SettingDeclaration.keepAlive.intDefault)
    /// OAuth protection of the MCP endpoint; off unless configured.
    public var auth = AuthSettings()
    /// Present when this gateway is its own authorization server.
    public var authorizationServer: AuthorizationServerSettings?
    /// Present when users can link accounts and store personal keys.
    public var linking: LinkingSettings?
    /// The operator console at `/admin`; nil when it is off.
    public var console: ConsoleSettings?
    /// Proxies whose `X-Forwarded-For` names the client for per-address
    /// decisions; none by default.
    public var trustedProxies = TrustedProxies()
    /// Extra certificate authorities (PEM) trusted for outbound TLS: an
    /// internal CA behind upstream APIs, the identity provider or client
    /// metadata documents.
    public var caFile: String?

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(reader: ConfigReader) throws {
        host = reader.string(forKey: D.host.configKey, default: D.host.defaultValue!)
        port = try reader.int(D.port) { "port \($0) is out of range" }
        connectorsPath = reader.string(forKey: D.connectors.configKey, default: D.connectors.defaultValue!)
        publicURL = reader.string(forKey: D.publicURL.configKey)
        if let publicURL {
            guard let url = URL(string: publicURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw Invalid(description: "public URL '\(publicURL)' must be an absolute http(s) URL")
            }
            var trimmed = publicURL
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            self.publicURL = trimmed
        }
        let level = reader.string(forKey: D.logLevel.configKey, default: D.logLevel.defaultValue!)
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw Invalid(description: "log level '\(level)' must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = parsed
        let format = reader.string(forKey: D.logFormat.configKey, default: D.logFormat.defaultValue!)
        guard let parsedFormat = LogFormat(rawValue: format.lowercased()) else {
            throw Invalid(description: "log format must be json or text, got '\(format)'")
        }
        logFormat = parsedFormat
        auditArgumentValues = reader.bool(forKey: D.auditArgumentValues.configKey, default: false)
        shutdownGrace = .seconds(try reader.seconds(D.shutdownGrace, name: "shutdown grace"))
        shutdownDelay = .seconds(try reader.seconds(D.shutdownDelay, name: "shutdown delay"))
        connections.headerTimeout = .seconds(try reader.seconds(D.headerTimeout, name: "header timeout"))
        connections.bodyTimeout = .seconds(try reader.seconds(D.bodyTimeout, name: "body timeout"))
        connections.idleTimeout = .seconds(try reader.seconds(D.idleTimeout, name: "idle timeout"))
        loadLimits = try Self.loadLimits(reader)
        let descriptorCap = Self.descriptorLimit().map { max(16, $0 / 2) } ?? Int.max
        connections.maxConnections = try reader.int(D.maxConnections, default: min(1024, descriptorCap)) { _ in
            "max connections must be between 1 and 1000000"
        }
        operationsPort = try reader.optionalInt(D.operationsPort) { "operations port \($0) is out of range" }
        operationsHost = reader.string(forKey: D.operationsHost.configKey)
        if operationsHost != nil, operationsPort == nil {
            throw Invalid(description: "GATEHOUSE_OPERATIONS_HOST needs GATEHOUSE_OPERATIONS_PORT")
        }
        allowedOrigins = reader.string(forKey: D.allowedOrigins.configKey, default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        maxBodyBytes = try reader.int(D.maxBodyBytes) { _ in "max body bytes must be at least 1024" }
        sessionSecret = reader.string(forKey: D.sessionSecret.configKey, isSecret: true)
        pageSize = try reader.int(D.pageSize) { _ in "page size must be between 1 and 10000" }
        listTTLMilliseconds = try reader.int(D.listTTL) { _ in "list TTL must not be negative" }
        switch reader.string(forKey: D.confirmWithoutElicitation.configKey, default: "refuse").lowercased() {
        case "refuse": confirmWithoutElicitation = false
        case "allow": confirmWithoutElicitation = true
        case let other: throw Invalid(description: "confirm without elicitation must be refuse or allow, got '\(other)'")
        }
        confirmTimeout = .seconds(try reader.seconds(D.confirmTimeout, name: "confirm timeout"))
        let watch = reader.string(forKey: D.watch.configKey, default: D.watch.defaultValue!)
        guard let mode = WatchMode(rawValue: watch.lowercased()) else {
            throw Invalid(description: "watch mode '\(watch)' must be one of \(WatchMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        watchMode = mode
        pollInterval = .milliseconds(try reader.int(D.pollInterval) { _ in "poll interval must be between 50 and 3600000 ms" })
        reloadDebounce = .milliseconds(try reader.int(D.reloadDebounce) { _ in "reload debounce must be between 0 and 10000 ms" })
        keepAliveInterval = .seconds(try reader.seconds(D.keepAlive, name: "keep-alive"))
        if let proxies = reader.string(forKey: D.trustedProxies.configKey) {
            do {
                trustedProxies = try TrustedProxies(parsing: proxies)
            } catch {
                throw Invalid(description: error.description)
            }
        }
        caFile = reader.string(forKey: D.caFile.configKey)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw Invalid(description: "GATEHOUSE_TLS_CA_FILE \(caFile) cannot be read")
        }
        if reader.string(forKey: D.auth.configKey, default: D.auth.defaultValue!).lowercased() == "builtin" {
            guard let publicURL else {
                throw Invalid(description: "built-in authorization needs GATEHOUSE_PUBLIC_URL: it is the issuer and the token audience")
            }
            do {
                authorizationServer = try AuthorizationServerSettings(reader: reader, publicURL: publicURL)
            } catch let error as AuthorizationServerSettings.Invalid {
                throw Invalid(description: error.description)
            }
            auth = Self.builtInAuthSettings(reader: reader, publicURL: publicURL)
        } else {
            auth = try Self.authSettings(reader: reader, publicURL: publicURL)
        }
        auth.allowUnverifiedEmail = try reader.flag(D.authAllowUnverifiedEmail)
        linking = try LinkingSettings.read(reader, publicURL: publicURL, builtIn: authorizationServer)
        console = try ConsoleSettings.read(reader, publicURL: publicURL, builtIn: authorizationServer, sessionSecret: sessionSecret)
    }

    /// The resource server's side of built-in mode: tokens from this very
    /// server, checked by the same verifier as an external issuer's.
    static func builtInAuthSettings(reader: ConfigReader, publicURL: String) -> AuthSettings {
        var settings = AuthSettings(enabled: true)
        settings.issuers = [AuthSettings.Issuer(issuer: publicURL)]
        settings.issuers[0].jwksURL = publicURL + "/jwks.json"
        settings.audiences = [publicURL + "/mcp"]
        settings.requiredScopes = list(reader.string(forKey: D.authScopes.configKey))
        settings.clockSkew = .seconds(reader.int(forKey: D.authClockSkew.configKey, default: D.authClockSkew.intDefault))
        // The issuer's keys are read in process, never over the network.
        settings.allowInsecureIssuers = true
        return settings
    }

    /// The connector folder's size limits; `gatehouse check` reads them too,
    /// so it judges a folder as the server will.
    public static func loadLimits(_ reader: ConfigReader) throws -> LoadLimits {
        var limits = LoadLimits()
        limits.maxFileBytes = try reader.int(D.maxConnectorFileBytes) { _ in
            "GATEHOUSE_MAX_CONNECTOR_FILE_BYTES must be between 1024 and 1073741824"
        }
        limits.maxFolderBytes = reader.int(forKey: D.maxConnectorsBytes.configKey, default: D.maxConnectorsBytes.intDefault)
        guard (limits.maxFileBytes...D.maxConnectorsBytes.range!.upperBound).contains(limits.maxFolderBytes) else {
            throw Invalid(description: "GATEHOUSE_MAX_CONNECTORS_BYTES must be at least GATEHOUSE_MAX_CONNECTOR_FILE_BYTES")
        }
        return limits
    }

    /// The process's soft limit on open descriptors: a connection cap above
    /// half of it would let clients take the descriptors that upstream
    /// connections, files and the probes need.
    static func descriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty }
    }

    static func authSettings(reader: ConfigReader, publicURL: String?) throws -> AuthSettings {
        let mode = reader.string(forKey: D.auth.configKey, default: D.auth.defaultValue!).lowercased()
        guard mode == "off" || mode == "oauth" else { throw Invalid(description: "auth must be off, oauth or builtin, not '\(mode)'") }
        guard mode == "oauth" else { return AuthSettings() }
        var settings = AuthSettings(enabled: true)
        settings.issuers = list(reader.string(forKey: D.authIssuers.configKey)).map { AuthSettings.Issuer(issuer: $0) }
        if let jwks = reader.string(forKey: D.authJWKSURL.configKey) {
            guard settings.issuers.count == 1 else {
                throw Invalid(description: "an explicit JWKS URL needs exactly one issuer")
            }
            settings.issuers[0].jwksURL = jwks
        }
        settings.audiences = list(reader.string(forKey: D.authAudiences.configKey))
        if settings.audiences.isEmpty {
            guard let publicURL else {
                throw Invalid(description: "OAuth needs GATEHOUSE_PUBLIC_URL (the audience tokens must be for) or GATEHOUSE_AUTH_AUDIENCES")
            }
            settings.audiences = [publicURL + "/mcp"]
        }
        guard publicURL != nil else {
            throw Invalid(description: "OAuth needs GATEHOUSE_PUBLIC_URL: clients find the metadata through it")
        }
        settings.requiredScopes = list(reader.string(forKey: D.authScopes.configKey))
        settings.clockSkew = .seconds(reader.int(forKey: D.authClockSkew.configKey, default: D.authClockSkew.intDefault))
        settings.allowInsecureIssuers = reader.bool(forKey: D.authAllowInsecureIssuers.configKey, default: false)
        if let endpoint = reader.string(forKey: D.authIntrospectionURL.configKey) {
            guard let clientID = reader.string(forKey: D.authIntrospectionClientID.configKey) else {
                throw Invalid(description: "introspection needs GATEHOUSE_AUTH_INTROSPECTION_CLIENT_ID")
            }
            guard let secret = try reader.secret(D.authIntrospectionClientSecret) else {
                throw Invalid(description: "introspection needs GATEHOUSE_AUTH_INTROSPECTION_CLIENT_SECRET or _FILE")
            }
            settings.introspection = .init(endpoint: endpoint, clientID: clientID, clientSecret: secret)
        }
        guard !settings.issuers.isEmpty || settings.introspection != nil else {
            throw Invalid(description: "OAuth needs GATEHOUSE_AUTH_ISSUERS (or an introspection endpoint)")
        }
        return settings
    }

    /// The origin of the public URL, always allowed to call the endpoint.
    public var publicOrigin: String? {
        guard let publicURL, let url = URL(string: publicURL), let scheme = url.scheme, let host = url.host else { return nil }
        if let port = url.port { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable {
    case json
    case text
}

import Catalog
import Configuration
import Foundation
import Logging
import OAuth

/// Everything `gatehouse serve` can be told, read from flags first and then
/// from `GATEHOUSE_*` environment variables (key `gatehouse.public.url` is
/// the variable `GATEHOUSE_PUBLIC_URL`).
public struct GatewaySettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var connectorsPath: String = "connectors.d"
    /// The URL clients use to reach this server, e.g. `https://mcp.example.com`.
    public var publicURL: String?
    public var logLevel: Logger.Level = .info
    /// JSON lines for log collectors, or text for people.
    public var logFormat: LogFormat = .json
    /// Whether audit lines carry argument values, not only their names.
    public var auditArgumentValues = false
    /// How long in-flight calls may take to finish after SIGTERM.
    public var shutdownGrace: Duration = .seconds(25)
    /// How long `/readyz` answers 503 after SIGTERM before the listener
    /// closes, so load balancers stop sending traffic first.
    public var shutdownDelay: Duration = .zero
    /// How much of the connector folder a reload reads.
    public var loadLimits = LoadLimits()
    /// Timeouts for slow or silent clients and the cap on open connections.
    public var connections = ConnectionLimits()
    /// A second listener for `/status` and `/metrics` (and the probes), so
    /// they need not be reachable where `/mcp` is.
    public var operationsHost: String?
    public var operationsPort: Int?
    public var allowedOrigins: [String] = []
    public var maxBodyBytes: Int = 1 << 20
    /// Shared by replicas so any of them can verify a legacy session id.
    public var sessionSecret: String?
    public var pageSize: Int = 200
    public var listTTLMilliseconds: Int = 10_000
    /// How folder changes are noticed.
    public var watchMode: WatchMode = .auto
    /// How often polling looks at the folder (the only way in `poll` mode,
    /// a safety net beside inotify in `auto` mode).
    public var pollInterval: Duration = .seconds(2)
    /// How long a reload waits after the first change, so a burst of events
    /// (an editor's save, a ConfigMap swap) becomes one reload.
    public var reloadDebounce: Duration = .milliseconds(50)
    /// How often idle notification streams get a keep-alive comment.
    public var keepAliveInterval: Duration = .seconds(15)
    /// OAuth protection of the MCP endpoint; off unless configured.
    public var auth = AuthSettings()
    /// Present when this gateway is its own authorization server.
    public var authorizationServer: AuthorizationServerSettings?
    /// Proxies whose `X-Forwarded-For` names the client for per-address
    /// decisions; none by default.
    public var trustedProxies = TrustedProxies()
    /// Extra certificate authorities (PEM) trusted for outbound TLS: an
    /// internal CA behind upstream APIs, the identity provider or client
    /// metadata documents.
    public var caFile: String?

    public init() {}

    /// Keys and their environment variables, for `--help` and the README.
    public static let keys: [(key: String, variable: String, meaning: String)] = [
        ("gatehouse.host", "GATEHOUSE_HOST", "address to listen on (default 127.0.0.1; use 0.0.0.0 in a container)"),
        ("gatehouse.port", "GATEHOUSE_PORT", "port to listen on (default 8080)"),
        ("gatehouse.connectors", "GATEHOUSE_CONNECTORS", "folder of connector files (default connectors.d)"),
        ("gatehouse.public.url", "GATEHOUSE_PUBLIC_URL", "public base URL clients use, e.g. https://mcp.example.com"),
        ("gatehouse.log.level", "GATEHOUSE_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical"),
        ("gatehouse.log.format", "GATEHOUSE_LOG_FORMAT", "json (default: one JSON object per line on stdout) or text"),
        ("gatehouse.audit.argument.values", "GATEHOUSE_AUDIT_ARGUMENT_VALUES", "true to log argument values in audit lines (default: names only)"),
        ("gatehouse.shutdown.grace.seconds", "GATEHOUSE_SHUTDOWN_GRACE_SECONDS", "time in-flight calls get to finish after SIGTERM (default 25)"),
        ("gatehouse.shutdown.delay.seconds", "GATEHOUSE_SHUTDOWN_DELAY_SECONDS", "time /readyz answers 503 after SIGTERM before the listener closes (default 0)"),
        ("gatehouse.max.connector.file.bytes", "GATEHOUSE_MAX_CONNECTOR_FILE_BYTES", "largest connector file read (default 4194304)"),
        ("gatehouse.max.connectors.bytes", "GATEHOUSE_MAX_CONNECTORS_BYTES", "all connector files together (default 67108864)"),
        ("gatehouse.header.timeout.seconds", "GATEHOUSE_HEADER_TIMEOUT_SECONDS", "time a client gets to send a request's headers, from its first byte (default 10)"),
        ("gatehouse.body.timeout.seconds", "GATEHOUSE_BODY_TIMEOUT_SECONDS", "time a client gets to send a request's body after its headers (default 30)"),
        ("gatehouse.idle.timeout.seconds", "GATEHOUSE_IDLE_TIMEOUT_SECONDS", "time a keep-alive connection may sit idle between requests (default 60)"),
        ("gatehouse.max.connections", "GATEHOUSE_MAX_CONNECTIONS", "client connections open at once, per listener (default 1024, at most half the descriptor limit)"),
        ("gatehouse.operations.host", "GATEHOUSE_OPERATIONS_HOST", "address of the operations listener (default: GATEHOUSE_HOST)"),
        ("gatehouse.operations.port", "GATEHOUSE_OPERATIONS_PORT", "port of a separate listener for /status, /metrics, /healthz and /readyz; when set, /status and /metrics leave the main port"),
        ("gatehouse.allowed.origins", "GATEHOUSE_ALLOWED_ORIGINS", "comma-separated browser origins allowed to call /mcp, or *"),
        ("gatehouse.trusted.proxies", "GATEHOUSE_TRUSTED_PROXIES", "comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For names the client (default: none)"),
        ("gatehouse.max.body.bytes", "GATEHOUSE_MAX_BODY_BYTES", "largest accepted request body (default 1048576)"),
        ("gatehouse.session.secret", "GATEHOUSE_SESSION_SECRET", "key signing legacy session ids; set the same on all replicas"),
        ("gatehouse.page.size", "GATEHOUSE_PAGE_SIZE", "tools per tools/list page (default 200)"),
        ("gatehouse.list.ttl.ms", "GATEHOUSE_LIST_TTL_MS", "ttlMs on 2026-07-28 tools/list results (default 10000)"),
        ("gatehouse.watch", "GATEHOUSE_WATCH", "auto (inotify plus polling), inotify, poll or off (SIGHUP only)"),
        ("gatehouse.poll.interval.ms", "GATEHOUSE_POLL_INTERVAL_MS", "polling interval (default 2000)"),
        ("gatehouse.reload.debounce.ms", "GATEHOUSE_RELOAD_DEBOUNCE_MS", "wait after a change before reloading (default 50)"),
        ("gatehouse.keepalive.seconds", "GATEHOUSE_KEEPALIVE_SECONDS", "keep-alive interval on notification streams (default 15)"),
        ("gatehouse.auth", "GATEHOUSE_AUTH", "off (default, for local development), oauth (tokens from an external issuer) or builtin (this server issues them)"),
        ("gatehouse.auth.issuers", "GATEHOUSE_AUTH_ISSUERS", "comma-separated trusted issuer URLs"),
        ("gatehouse.auth.jwks.url", "GATEHOUSE_AUTH_JWKS_URL", "explicit key set URL (one issuer); found through issuer metadata otherwise"),
        ("gatehouse.auth.audiences", "GATEHOUSE_AUTH_AUDIENCES", "accepted token audiences (default: the public URL of /mcp)"),
        ("gatehouse.auth.scopes", "GATEHOUSE_AUTH_SCOPES", "space- or comma-separated scopes every request needs"),
        ("gatehouse.auth.clock.skew.seconds", "GATEHOUSE_AUTH_CLOCK_SKEW_SECONDS", "allowed clock skew for exp/nbf (default 60)"),
        ("gatehouse.auth.introspection.url", "GATEHOUSE_AUTH_INTROSPECTION_URL", "RFC 7662 endpoint for opaque tokens"),
        ("gatehouse.auth.introspection.client.id", "GATEHOUSE_AUTH_INTROSPECTION_CLIENT_ID", "client id for introspection"),
        ("gatehouse.auth.introspection.client.secret", "GATEHOUSE_AUTH_INTROSPECTION_CLIENT_SECRET", "client secret for introspection"),
        ("gatehouse.auth.introspection.client.secret.file", "GATEHOUSE_AUTH_INTROSPECTION_CLIENT_SECRET_FILE", "file holding that secret"),
        ("gatehouse.auth.allow.insecure.issuers", "GATEHOUSE_AUTH_ALLOW_INSECURE_ISSUERS", "accept http:// issuers beyond loopback (labs only)"),
        ("gatehouse.auth.allow.unverified.email", "GATEHOUSE_AUTH_ALLOW_UNVERIFIED_EMAIL", "true to pass {{ user.email }} even when the issuer marked it email_verified: false (default false)"),
        ("gatehouse.tls.ca.file", "GATEHOUSE_TLS_CA_FILE", "extra PEM certificate authorities trusted for outbound TLS"),
    ] + AuthorizationServerSettings.keys

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(reader: ConfigReader) throws {
        host = reader.string(forKey: "gatehouse.host", default: host)
        port = reader.int(forKey: "gatehouse.port", default: port)
        guard (0...65535).contains(port) else { throw Invalid(description: "port \(port) is out of range") }
        connectorsPath = reader.string(forKey: "gatehouse.connectors", default: connectorsPath)
        publicURL = reader.string(forKey: "gatehouse.public.url")
        if let publicURL {
            guard let url = URL(string: publicURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw Invalid(description: "public URL '\(publicURL)' must be an absolute http(s) URL")
            }
            var trimmed = publicURL
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            self.publicURL = trimmed
        }
        let level = reader.string(forKey: "gatehouse.log.level", default: "info")
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw Invalid(description: "log level '\(level)' must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = parsed
        let format = reader.string(forKey: "gatehouse.log.format", default: logFormat.rawValue)
        guard let parsedFormat = LogFormat(rawValue: format.lowercased()) else {
            throw Invalid(description: "log format must be json or text, got '\(format)'")
        }
        logFormat = parsedFormat
        auditArgumentValues = reader.bool(forKey: "gatehouse.audit.argument.values", default: false)
        let grace = reader.int(forKey: "gatehouse.shutdown.grace.seconds", default: 25)
        guard (0...3600).contains(grace) else { throw Invalid(description: "shutdown grace must be between 0 and 3600 seconds") }
        shutdownGrace = .seconds(grace)
        let delay = reader.int(forKey: "gatehouse.shutdown.delay.seconds", default: 0)
        guard (0...600).contains(delay) else { throw Invalid(description: "shutdown delay must be between 0 and 600 seconds") }
        shutdownDelay = .seconds(delay)
        connections.headerTimeout = .seconds(try Self.seconds(reader, "gatehouse.header.timeout.seconds", default: 10, in: 1...600, name: "header timeout"))
        connections.bodyTimeout = .seconds(try Self.seconds(reader, "gatehouse.body.timeout.seconds", default: 30, in: 1...3600, name: "body timeout"))
        connections.idleTimeout = .seconds(try Self.seconds(reader, "gatehouse.idle.timeout.seconds", default: 60, in: 1...3600, name: "idle timeout"))
        loadLimits = try Self.loadLimits(reader)
        let descriptorCap = Self.descriptorLimit().map { max(16, $0 / 2) } ?? Int.max
        let maxConnections = reader.int(forKey: "gatehouse.max.connections", default: min(1024, descriptorCap))
        guard (1...1_000_000).contains(maxConnections) else {
            throw Invalid(description: "max connections must be between 1 and 1000000")
        }
        connections.maxConnections = maxConnections
        operationsPort = reader.int(forKey: "gatehouse.operations.port")
        if let operationsPort {
            guard (0...65535).contains(operationsPort) else { throw Invalid(description: "operations port \(operationsPort) is out of range") }
        }
        operationsHost = reader.string(forKey: "gatehouse.operations.host")
        if operationsHost != nil, operationsPort == nil {
            throw Invalid(description: "GATEHOUSE_OPERATIONS_HOST needs GATEHOUSE_OPERATIONS_PORT")
        }
        allowedOrigins = reader.string(forKey: "gatehouse.allowed.origins", default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        maxBodyBytes = reader.int(forKey: "gatehouse.max.body.bytes", default: maxBodyBytes)
        guard maxBodyBytes >= 1024 else { throw Invalid(description: "max body bytes must be at least 1024") }
        sessionSecret = reader.string(forKey: "gatehouse.session.secret", isSecret: true)
        pageSize = reader.int(forKey: "gatehouse.page.size", default: pageSize)
        guard (1...10_000).contains(pageSize) else { throw Invalid(description: "page size must be between 1 and 10000") }
        listTTLMilliseconds = reader.int(forKey: "gatehouse.list.ttl.ms", default: listTTLMilliseconds)
        guard listTTLMilliseconds >= 0 else { throw Invalid(description: "list TTL must not be negative") }
        let watch = reader.string(forKey: "gatehouse.watch", default: watchMode.rawValue)
        guard let mode = WatchMode(rawValue: watch.lowercased()) else {
            throw Invalid(description: "watch mode '\(watch)' must be one of \(WatchMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        watchMode = mode
        let poll = reader.int(forKey: "gatehouse.poll.interval.ms", default: 2000)
        guard (50...3_600_000).contains(poll) else { throw Invalid(description: "poll interval must be between 50 and 3600000 ms") }
        pollInterval = .milliseconds(poll)
        let debounce = reader.int(forKey: "gatehouse.reload.debounce.ms", default: 50)
        guard (0...10_000).contains(debounce) else { throw Invalid(description: "reload debounce must be between 0 and 10000 ms") }
        reloadDebounce = .milliseconds(debounce)
        let keepAlive = reader.int(forKey: "gatehouse.keepalive.seconds", default: 15)
        guard (1...3600).contains(keepAlive) else { throw Invalid(description: "keep-alive must be between 1 and 3600 seconds") }
        keepAliveInterval = .seconds(keepAlive)
        if let proxies = reader.string(forKey: "gatehouse.trusted.proxies") {
            do {
                trustedProxies = try TrustedProxies(parsing: proxies)
            } catch {
                throw Invalid(description: error.description)
            }
        }
        caFile = reader.string(forKey: "gatehouse.tls.ca.file")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw Invalid(description: "GATEHOUSE_TLS_CA_FILE \(caFile) cannot be read")
        }
        if reader.string(forKey: "gatehouse.auth", default: "off").lowercased() == "builtin" {
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
        auth.allowUnverifiedEmail = try Self.flag(
            reader, "gatehouse.auth.allow.unverified.email", variable: "GATEHOUSE_AUTH_ALLOW_UNVERIFIED_EMAIL")
    }

    /// The resource server's side of built-in mode: tokens from this very
    /// server, checked by the same verifier as an external issuer's.
    static func builtInAuthSettings(reader: ConfigReader, publicURL: String) -> AuthSettings {
        var settings = AuthSettings(enabled: true)
        settings.issuers = [AuthSettings.Issuer(issuer: publicURL)]
        settings.issuers[0].jwksURL = publicURL + "/jwks.json"
        settings.audiences = [publicURL + "/mcp"]
        settings.requiredScopes = list(reader.string(forKey: "gatehouse.auth.scopes"))
        settings.clockSkew = .seconds(reader.int(forKey: "gatehouse.auth.clock.skew.seconds", default: 60))
        // The issuer's keys are read in process, never over the network.
        settings.allowInsecureIssuers = true
        return settings
    }

    /// A secret given directly (`KEY`) or in a file (`KEY.file`, the way
    /// container secrets arrive); nil when neither is set.
    static func secret(_ reader: ConfigReader, _ key: String) throws -> String? {
        if let value = reader.string(forKey: ConfigKey(key), isSecret: true) { return value }
        guard let file = reader.string(forKey: ConfigKey(key + ".file")) else { return nil }
        do {
            return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw Invalid(description: "cannot read \(file): \(error.localizedDescription)")
        }
    }

    /// The connector folder's size limits; `gatehouse check` reads them too,
    /// so it judges a folder as the server will.
    public static func loadLimits(_ reader: ConfigReader) throws -> LoadLimits {
        var limits = LoadLimits()
        limits.maxFileBytes = reader.int(forKey: "gatehouse.max.connector.file.bytes", default: limits.maxFileBytes)
        guard (1024...(1 << 30)).contains(limits.maxFileBytes) else {
            throw Invalid(description: "GATEHOUSE_MAX_CONNECTOR_FILE_BYTES must be between 1024 and 1073741824")
        }
        limits.maxFolderBytes = reader.int(forKey: "gatehouse.max.connectors.bytes", default: limits.maxFolderBytes)
        guard (limits.maxFileBytes...(16 << 30)).contains(limits.maxFolderBytes) else {
            throw Invalid(description: "GATEHOUSE_MAX_CONNECTORS_BYTES must be at least GATEHOUSE_MAX_CONNECTOR_FILE_BYTES")
        }
        return limits
    }

    static func seconds(_ reader: ConfigReader, _ key: ConfigKey, default value: Int, in range: ClosedRange<Int>, name: String) throws -> Int {
        let seconds = reader.int(forKey: key, default: value)
        guard range.contains(seconds) else {
            throw Invalid(description: "\(name) must be between \(range.lowerBound) and \(range.upperBound) seconds")
        }
        return seconds
    }

    /// The process's soft limit on open descriptors: a connection cap above
    /// half of it would let clients take the descriptors that upstream
    /// connections, files and the probes need.
    static func descriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// A yes-or-no setting; anything but `true` or `false` is an error
    /// rather than a silent default.
    static func flag(_ reader: ConfigReader, _ key: String, variable: String, default value: Bool = false) throws -> Bool {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return reader.bool(forKey: ConfigKey(key), default: value) }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Invalid(description: "\(variable) must be true or false, not '\(text)'")
        }
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty }
    }

    static func authSettings(reader: ConfigReader, publicURL: String?) throws -> AuthSettings {
        let mode = reader.string(forKey: "gatehouse.auth", default: "off").lowercased()
        guard mode == "off" || mode == "oauth" else { throw Invalid(description: "auth must be off, oauth or builtin, not '\(mode)'") }
        guard mode == "oauth" else { return AuthSettings() }
        var settings = AuthSettings(enabled: true)
        settings.issuers = list(reader.string(forKey: "gatehouse.auth.issuers")).map { AuthSettings.Issuer(issuer: $0) }
        if let jwks = reader.string(forKey: "gatehouse.auth.jwks.url") {
            guard settings.issuers.count == 1 else {
                throw Invalid(description: "an explicit JWKS URL needs exactly one issuer")
            }
            settings.issuers[0].jwksURL = jwks
        }
        settings.audiences = list(reader.string(forKey: "gatehouse.auth.audiences"))
        if settings.audiences.isEmpty {
            guard let publicURL else {
                throw Invalid(description: "OAuth needs GATEHOUSE_PUBLIC_URL (the audience tokens must be for) or GATEHOUSE_AUTH_AUDIENCES")
            }
            settings.audiences = [publicURL + "/mcp"]
        }
        guard publicURL != nil else {
            throw Invalid(description: "OAuth needs GATEHOUSE_PUBLIC_URL: clients find the metadata through it")
        }
        settings.requiredScopes = list(reader.string(forKey: "gatehouse.auth.scopes"))
        settings.clockSkew = .seconds(reader.int(forKey: "gatehouse.auth.clock.skew.seconds", default: 60))
        settings.allowInsecureIssuers = reader.bool(forKey: "gatehouse.auth.allow.insecure.issuers", default: false)
        if let endpoint = reader.string(forKey: "gatehouse.auth.introspection.url") {
            guard let clientID = reader.string(forKey: "gatehouse.auth.introspection.client.id") else {
                throw Invalid(description: "introspection needs GATEHOUSE_AUTH_INTROSPECTION_CLIENT_ID")
            }
            guard let secret = try secret(reader, "gatehouse.auth.introspection.client.secret") else {
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

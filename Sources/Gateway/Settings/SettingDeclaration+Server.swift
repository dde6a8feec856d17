extension SettingDeclaration {
    public static let host = SettingDeclaration(
        "gatehouse.host", .server, default: "127.0.0.1", "address to listen on; use 0.0.0.0 in a container")
    public static let port = SettingDeclaration("gatehouse.port", .server, default: "8080", range: 0...65535, "port to listen on")
    public static let publicURL = SettingDeclaration(
        "gatehouse.public.url", .server, "public base URL clients use, e.g. https://mcp.example.com")
    public static let allowedOrigins = SettingDeclaration(
        "gatehouse.allowed.origins", .server, "comma-separated browser origins allowed to call /mcp, or *")
    public static let trustedProxies = SettingDeclaration(
        "gatehouse.trusted.proxies", .server, default: "none",
        "comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For names the client")
    public static let operationsHost = SettingDeclaration(
        "gatehouse.operations.host", .server, default: "GATEHOUSE_HOST", "address of the operations listener")
    public static let operationsPort = SettingDeclaration(
        "gatehouse.operations.port", .server, range: 0...65535,
        "port of a separate listener for /status, /metrics, /healthz and /readyz; when set, /status and /metrics leave the main port")
    public static let caFile = SettingDeclaration(
        "gatehouse.tls.ca.file", .server, "extra PEM certificate authorities trusted for outbound TLS")

    public static let server: [SettingDeclaration] = [
        host, port, publicURL, allowedOrigins, trustedProxies, operationsHost, operationsPort, caFile,
    ]
}

extension SettingDeclaration {
    public static let headerTimeout = SettingDeclaration(
        "gatehouse.header.timeout.seconds", .connections, default: "10", range: 1...600,
        "time a client gets to send a request's headers, from its first byte")
    public static let bodyTimeout = SettingDeclaration(
        "gatehouse.body.timeout.seconds", .connections, default: "30", range: 1...3600,
        "time a client gets to send a request's body after its headers")
    public static let idleTimeout = SettingDeclaration(
        "gatehouse.idle.timeout.seconds", .connections, default: "60", range: 1...3600,
        "time a keep-alive connection may sit idle between requests")
    public static let maxConnections = SettingDeclaration(
        "gatehouse.max.connections", .connections, default: "1024, at most half the descriptor limit", range: 1...1_000_000,
        "client connections open at once, per listener")
    public static let maxBodyBytes = SettingDeclaration(
        "gatehouse.max.body.bytes", .connections, default: "1048576", range: 1024...Int.max, "largest accepted request body")

    public static let connections: [SettingDeclaration] = [headerTimeout, bodyTimeout, idleTimeout, maxConnections, maxBodyBytes]
}

extension SettingDeclaration {
    public static let connectors = SettingDeclaration("gatehouse.connectors", .folder, default: "connectors.d", "folder of connector files")
    public static let maxConnectorFileBytes = SettingDeclaration(
        "gatehouse.max.connector.file.bytes", .folder, default: "4194304", range: 1024...(1 << 30), "largest connector file read")
    public static let maxConnectorsBytes = SettingDeclaration(
        "gatehouse.max.connectors.bytes", .folder, default: "67108864", range: 1024...(16 << 30),
        "all connector files together; at least GATEHOUSE_MAX_CONNECTOR_FILE_BYTES")
    public static let watch = SettingDeclaration(
        "gatehouse.watch", .folder, default: "auto", "auto (inotify plus polling), inotify, poll or off (SIGHUP only)")
    public static let pollInterval = SettingDeclaration(
        "gatehouse.poll.interval.ms", .folder, default: "2000", range: 50...3_600_000, "polling interval")
    public static let reloadDebounce = SettingDeclaration(
        "gatehouse.reload.debounce.ms", .folder, default: "50", range: 0...10_000, "wait after a change before reloading")

    public static let folder: [SettingDeclaration] = [
        connectors, maxConnectorFileBytes, maxConnectorsBytes, watch, pollInterval, reloadDebounce,
    ]
}

extension SettingDeclaration {
    public static let logLevel = SettingDeclaration(
        "gatehouse.log.level", .logging, default: "info", "trace, debug, info, notice, warning, error, critical")
    public static let logFormat = SettingDeclaration(
        "gatehouse.log.format", .logging, default: "json", "json (one JSON object per line on stdout) or text")
    public static let auditArgumentValues = SettingDeclaration(
        "gatehouse.audit.argument.values", .logging, default: "false",
        "true to log argument values in audit lines, not only their names")
    public static let shutdownGrace = SettingDeclaration(
        "gatehouse.shutdown.grace.seconds", .logging, default: "25", range: 0...3600,
        "time in-flight calls get to finish after SIGTERM")
    public static let shutdownDelay = SettingDeclaration(
        "gatehouse.shutdown.delay.seconds", .logging, default: "0", range: 0...600,
        "time /readyz answers 503 after SIGTERM before the listener closes")

    public static let logging: [SettingDeclaration] = [logLevel, logFormat, auditArgumentValues, shutdownGrace, shutdownDelay]
}

extension SettingDeclaration {
    public static let sessionSecret = SettingDeclaration(
        "gatehouse.session.secret", .protocolOptions, secret: true, "key signing legacy session ids; set the same on all replicas")
    public static let pageSize = SettingDeclaration(
        "gatehouse.page.size", .protocolOptions, default: "200", range: 1...10_000, "tools per tools/list page")
    public static let listTTL = SettingDeclaration(
        "gatehouse.list.ttl.ms", .protocolOptions, default: "10000", range: 0...Int.max, "ttlMs on 2026-07-28 tools/list results")
    public static let keepAlive = SettingDeclaration(
        "gatehouse.keepalive.seconds", .protocolOptions, default: "15", range: 1...3600,
        "keep-alive interval on notification streams")

    public static let confirmWithoutElicitation = SettingDeclaration(
        "gatehouse.confirm.without.elicitation", .protocolOptions, default: "refuse",
        "refuse or allow: what a tool with confirm: does for a client that cannot ask the user")
    public static let confirmTimeout = SettingDeclaration(
        "gatehouse.confirm.timeout.seconds", .protocolOptions, default: "300", range: 5...3600,
        "how long a legacy-session call waits for the user to answer a confirmation")

    public static let protocolOptions: [SettingDeclaration] = [
        sessionSecret, pageSize, listTTL, keepAlive, confirmWithoutElicitation, confirmTimeout,
    ]
}

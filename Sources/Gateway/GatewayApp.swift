import AsyncHTTPClient
import AuthorizationServer
import Catalog
import Logging
import OAuth
import ServiceLifecycle
import Tracing
import Upstream

/// The composition root: builds the whole server from its settings and
/// dependencies, runs it, and tears it down.
///
/// `gatehouse serve` gives only settings and a logger; the HTTP client,
/// the built-in authorization server, the listeners and the background
/// services are made here. Tests give a fake upstream client and call
/// ``makeGateway()`` for the request-serving part alone.
public struct GatewayApp: Sendable {
    public var settings: GatewaySettings
    public var logger: Logger
    /// Calls the upstream APIs; nil means an HTTP client made from the
    /// settings, shut down with the app.
    public var upstream: (any UpstreamClient)?
    /// Fetches issuer metadata and keys when OAuth is on; nil means the
    /// app's HTTP client (or none, when `upstream` is given).
    public var authHTTP: (any AuthHTTPClient)?
    /// Replaces the token verifier built from the settings.
    public var verifier: (any TokenVerifier)?
    /// Replaces the audit sink chosen by the log format.
    public var audit: (any AuditSink)?
    public var metrics: GatewayMetrics
    /// Starts the spans of MCP requests and upstream calls; nil traces nothing.
    public var tracer: (any Tracer)?
    /// The OpenTelemetry exporters: started before the listeners and
    /// stopped after them, so the last spans are still sent.
    public var telemetryServices: [any Service]

    public init(
        settings: GatewaySettings, logger: Logger, upstream: (any UpstreamClient)? = nil, authHTTP: (any AuthHTTPClient)? = nil,
        verifier: (any TokenVerifier)? = nil, audit: (any AuditSink)? = nil, metrics: GatewayMetrics = GatewayMetrics(),
        tracer: (any Tracer)? = nil, telemetryServices: [any Service] = []
    ) {
        self.tracer = tracer
        self.telemetryServices = telemetryServices
        self.settings = settings
        self.logger = logger
        self.upstream = upstream
        self.authHTTP = authHTTP
        self.verifier = verifier
        self.audit = audit
        self.metrics = metrics
    }

    /// The start-up already logged why it failed; the process exits non-zero.
    public struct Failure: Error {}

    /// The request-serving part with the given upstream client and no
    /// listeners, as tests drive it.
    public func makeGateway(authorizationServer: BuiltInAuthorizationServer? = nil, credentialStore: CredentialStore? = nil) -> Gateway {
        guard let upstream else { preconditionFailure("makeGateway() needs an upstream client") }
        return makeGateway(
            upstream: upstream, authHTTP: authHTTP, authorizationServer: authorizationServer,
            credentialStore: credentialStore ?? authorizationServer.map { CredentialStore(store: $0.store, box: $0.box) })
    }

    func makeGateway(
        upstream: any UpstreamClient, authHTTP: (any AuthHTTPClient)?, authorizationServer: BuiltInAuthorizationServer?,
        credentialStore: CredentialStore?
    ) -> Gateway {
        Gateway(
            settings: settings, upstream: upstream, authHTTP: authHTTP, verifier: verifier,
            authorizationServer: authorizationServer, credentialStore: credentialStore, loader: CatalogLoader(limits: settings.loadLimits),
            metrics: metrics, audit: audit, tracer: tracer, logger: logger)
    }

    /// Starts everything, serves until SIGTERM or SIGINT, and shuts down.
    ///
    /// Every resource opened here is closed on the one path at the end,
    /// whether start-up failed, serving failed or shutdown was clean.
    public func run() async throws {
        let httpClient = upstream == nil ? HTTPUpstreamClient.makeHTTPClient(caFile: settings.caFile) : nil
        var authorizationServer: BuiltInAuthorizationServer?
        var linkingStore: (store: CredentialStore, close: @Sendable () async throws -> Void)?
        var readiness: Readiness?
        var failure: (any Error)?
        do {
            authorizationServer = try await startAuthorizationServer(http: httpClient)
            if authorizationServer == nil { linkingStore = try await openLinkingStore() }
            let gateway = makeGateway(
                upstream: try upstream ?? LoopBoundUpstreamClient(caFile: settings.caFile, fallback: HTTPUpstreamClient(client: httpClient!)),
                authHTTP: authHTTP ?? httpClient.map { HTTPAuthClient(client: $0) }, authorizationServer: authorizationServer,
                credentialStore: linkingStore?.store ?? authorizationServer.map { CredentialStore(store: $0.store, box: $0.box) })
            readiness = gateway.readiness
            try load(gateway)
            try await serve(gateway, authorizationServer: authorizationServer)
        } catch {
            failure = error
        }
        readiness?.markUpstreamClosed()
        try? await authorizationServer?.close()
        try? await linkingStore?.close()
        do {
            try await httpClient?.shutdown()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
        logger.info("stopped")
    }

    func startAuthorizationServer(http: HTTPClient?) async throws -> BuiltInAuthorizationServer? {
        guard let builtIn = settings.authorizationServer, let publicURL = settings.publicURL, let http else { return nil }
        let server: BuiltInAuthorizationServer
        do {
            server = try await BuiltInAuthorizationServer.start(
                settings: builtIn, publicURL: publicURL, http: http,
                events: AuthorizationEventSinks.standard(metrics: metrics),
                logger: logger)
        } catch {
            logger.critical("cannot start the built-in authorization server: \(error)")
            throw Failure()
        }
        logger.info(
            "built-in authorization server on",
            metadata: [
                "issuer": .string(publicURL), "identity_provider": .string(builtIn.upstream.issuer),
                "store": .string(builtIn.isPostgres ? "postgresql" : builtIn.store),
            ])
        return server
    }

    /// With an external issuer, the store for linked accounts and personal
    /// keys is opened for linking alone, when it is configured.
    func openLinkingStore() async throws -> (store: CredentialStore, close: @Sendable () async throws -> Void)? {
        guard let linking = settings.linking else { return nil }
        do {
            let opened = try await AuthStoreFactory.open(linking.store, logger: logger)
            do {
                try await opened.store.migrate()
                let box = try SecretBox(secret: linking.storeSecret, previous: linking.previousStoreSecrets)
                logger.info(
                    "linked accounts and personal keys on",
                    metadata: [
                        "sign_in": .string(linking.signIn.issuer),
                        "store": .string(AuthorizationServerSettings.isPostgres(linking.store) ? "postgresql" : linking.store),
                    ])
                return (CredentialStore(store: opened.store, box: box), opened.close)
            } catch {
                try? await opened.close()
                throw error
            }
        } catch {
            logger.critical("cannot open the credential store for linking: \(error)")
            throw Failure()
        }
    }

    /// Says how the endpoint is protected and loads the catalogue once
    /// before any listener opens.
    func load(_ gateway: Gateway) throws {
        if settings.auth.enabled {
            logger.info(
                "OAuth is on",
                metadata: [
                    "issuers": .string(settings.auth.issuers.map(\.issuer).joined(separator: " ")),
                    "audiences": .string(settings.auth.audiences.joined(separator: " ")),
                ])
            if settings.auth.allowUnverifiedEmail {
                logger.notice("GATEHOUSE_AUTH_ALLOW_UNVERIFIED_EMAIL is on: {{ user.email }} may carry addresses the issuer has not verified")
            }
        } else {
            logger.warning(
                "AUTHENTICATION IS OFF: anyone who can reach this port can call every tool. Set GATEHOUSE_AUTH=oauth outside local development.")
        }
        do {
            try gateway.reload()
        } catch {
            logger.critical("cannot load connectors: \(error)")
            throw Failure()
        }
        if settings.sessionSecret == nil {
            logger.notice("GATEHOUSE_SESSION_SECRET is not set: legacy sessions are valid on this process only")
        }
    }

    func serve(_ gateway: Gateway, authorizationServer: BuiltInAuthorizationServer?) async throws {
        logger.info("serving MCP at http://\(settings.host):\(settings.port)/mcp")
        // First in, last out: the exporters outlive the listeners.
        var services: [any Service] = telemetryServices
        if let operations = gateway.operationsApplication() {
            logger.info(
                "serving /status, /metrics and the probes at http://\(settings.operationsHost ?? settings.host):\(settings.operationsPort ?? 0)")
            services.append(operations)
        }
        services.append(gateway.application())
        services.append(ReloadService(gateway: gateway))
        services += authorizationServer?.services(logger: logger) ?? []
        services.append(ShutdownDelayService(readiness: gateway.readiness, delay: settings.shutdownDelay, logger: logger))
        var configuration = ServiceGroupConfiguration(
            // Shut down in reverse order: /readyz turns 503 and the listeners
            // stay open for the shutdown delay; then the reload service ends
            // the notification streams, and the servers stop accepting and
            // let calls in flight finish.
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Calls still running after the delay and the grace period are cancelled.
        configuration.maximumGracefulShutdownDuration = settings.shutdownDelay + settings.shutdownGrace
        configuration.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            logger.error("shutdown did not complete cleanly: \(error)")
            throw Failure()
        }
    }
}

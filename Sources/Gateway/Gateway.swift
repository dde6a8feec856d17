import AuthorizationServer
import Catalog
import ConnectorModel
import Foundation
import Logging
import Tracing
import MCPProtocol
import OAuth
import Upstream

/// The request-serving part of the server: settings, the catalogue being
/// served, the MCP endpoint and its protection. ``GatewayApp`` builds it
/// and adds the listeners and background services; the catalogue's
/// reloads belong to the Catalog module, and this type only reports them
/// (metrics, logs, notifications).
public struct Gateway: Sendable {
    public let settings: GatewaySettings
    /// The catalogue and its reloads, owned by the Catalog module.
    public let reloader: CatalogReloader
    public let server: MCPServer
    public let logger: Logger
    /// Present when the endpoint is protected by OAuth.
    public let resourceServer: ResourceServer?
    /// Present in built-in mode: this gateway issues the tokens it checks.
    public let authorizationServer: BuiltInAuthorizationServer?
    public let metrics: GatewayMetrics
    public let readiness: Readiness
    /// The link pages, when users can link accounts or store keys.
    let linking: AccountLinking?
    /// The extra endpoints of `endpoints.yaml`.
    public let endpoints: EndpointRegistry
    /// The token audiences of the extra endpoints, which the shared token
    /// verifier accepts besides `/mcp`'s; updated on each reload.
    let endpointAudiences: AudienceSet
    /// Spans for MCP requests, when OpenTelemetry export is on.
    let tracing: MCPRequestTracing
    /// The operator console, when an admin group is set.
    let console: AdminConsole?
    /// What the console shows of recent calls; nil without a console.
    public let activity: OperatorActivity?

    public var store: CatalogStore { reloader.store }
    public var loader: CatalogLoader { reloader.loader }
    var reloads: ReloadState { reloader.state }

    public static let version = "0.1.0"

    /// - Parameters:
    ///   - authHTTP: fetches issuer metadata and keys when OAuth is on.
    ///   - verifier: replaces the token verifier built from the settings (tests).
    ///   - tracer: starts the spans of MCP requests and upstream calls
    ///     (OpenTelemetry export); nil traces nothing.
    ///   - authorizationServer: the built-in authorization server, started
    ///     beforehand because opening its store is asynchronous.
    public init(
        settings: GatewaySettings, upstream: any UpstreamClient, authHTTP: (any AuthHTTPClient)? = nil,
        verifier: (any TokenVerifier)? = nil, authorizationServer: BuiltInAuthorizationServer? = nil,
        credentialStore: CredentialStore? = nil, loader: CatalogLoader = CatalogLoader(),
        metrics: GatewayMetrics = GatewayMetrics(), audit: (any AuditSink)? = nil, tracer: (any Tracer)? = nil, logger: Logger
    ) {
        self.settings = settings
        self.tracing = MCPRequestTracing(tracer: tracer)
        self.metrics = metrics
        self.readiness = Readiness()
        self.logger = logger
        let store = CatalogStore()
        self.reloader = CatalogReloader(folder: settings.connectorsPath, loader: loader, store: store)
        self.authorizationServer = authorizationServer
        var resourceServer: ResourceServer?
        // Never fail open: without a public URL the local address stands in.
        let publicURL = settings.publicURL ?? "http://\(settings.host):\(settings.port)"
        // In built-in mode the authorization server issues tokens for the
        // same set it is told about.
        let endpointAudiences = authorizationServer?.otherResources ?? AudienceSet()
        self.endpointAudiences = endpointAudiences
        var tokenVerifier: (any TokenVerifier)?
        let auth = {
            var auth = settings.auth
            auth.extraAudiences = endpointAudiences
            return auth
        }()
        if settings.auth.enabled {
            var keysHTTP: any AuthHTTPClient = authHTTP ?? UnavailableAuthHTTP()
            if let authorizationServer, let jwks = auth.issuers.first?.jwksURL {
                keysHTTP = LocalIssuerHTTP(jwksURL: jwks, keys: authorizationServer.keys, fallback: keysHTTP)
            }
            let tokens = verifier ?? CachingTokenVerifier(JWTVerifier(settings: auth, http: keysHTTP, logger: logger))
            tokenVerifier = tokens
            resourceServer = ResourceServer(settings: auth, resource: publicURL + "/mcp", verifier: tokens) {
                var scopes = auth.requiredScopes
                for scope in store.catalog.scopes where !scopes.contains(scope) { scopes.append(scope) }
                return scopes
            }
        }
        self.resourceServer = resourceServer
        var origins = settings.allowedOrigins
        if let origin = settings.publicOrigin { origins.append(origin) }
        let signer = settings.sessionSecret.map { SessionSigner(secret: Array($0.utf8)) } ?? .random()
        var configuration = MCPServerConfiguration(
            serverVersion: Self.version, pageSize: settings.pageSize, listTTLMilliseconds: settings.listTTLMilliseconds,
            originPolicy: OriginPolicy(allowed: origins), sessionSigner: signer,
            listChangedNotifications: true,
            insufficientScopeChallenge: resourceServer.map(Self.insufficientScopeChallenge))
        configuration.confirmationTimeout = settings.confirmTimeout
        let mainConfiguration = configuration
        let credentials = Self.credentials(
            settings: settings, http: authHTTP ?? UnavailableAuthHTTP(), authorizationServer: authorizationServer,
            credentialStore: credentialStore, catalog: store, metrics: metrics, logger: logger)
        self.linking = credentials.linking
        // Page cursors are signed with the session secret: any replica reads them.
        let cursors = settings.sessionSecret.map { PageCursors(secret: Array($0.utf8)) } ?? .random()
        let invoker = ToolInvoker(
            client: upstream, builder: RequestBuilder(userAgent: "gatehouse/\(Self.version)"), limits: LimitRegistry(),
            credentials: credentials.source, cursors: cursors)
        // Links to the rest of cut answers are sealed with the session
        // secret too; answers that cannot be rebuilt go to the shared store.
        let answerParts = AnswerParts(
            links: settings.sessionSecret.map { AnswerLinks(secret: Array($0.utf8)) } ?? .random(),
            shared: credentialStore.map { SharedAnswerStore(store: $0, logger: logger) })
        let auditSink = audit ?? Self.auditSink(for: settings.logFormat)
        // Recent calls are kept in memory only for the console to show.
        let activity = settings.console == nil ? nil : OperatorActivity(forwardingTo: auditSink)
        self.activity = activity
        let auditLog = AuditLog(sink: activity ?? auditSink, argumentValues: settings.auditArgumentValues)
        let provider = CatalogToolProvider(
            store: store, invoker: invoker, metrics: metrics, audit: auditLog,
            requiredScopes: { [resourceServer] tool in resourceServer?.scopes(forTool: tool) ?? tool },
            confirmWithoutElicitation: settings.confirmWithoutElicitation, answerParts: answerParts, logger: logger)
        let server = MCPServer(configuration: mainConfiguration, tools: provider)
        self.server = server
        let confirmWithoutElicitation = settings.confirmWithoutElicitation
        self.endpoints = EndpointRegistry(store: store) { [tokenVerifier] definition, memory in
            let name = definition.name
            var endpointConfiguration = mainConfiguration
            // Sessions and request states of one endpoint mean nothing at another.
            endpointConfiguration.sessionSigner = signer.derived("endpoint:" + name)
            if let title = definition.title { endpointConfiguration.serverTitle = title }
            if let instructions = definition.instructions { endpointConfiguration.instructions = instructions }
            var endpointResource: ResourceServer?
            if let tokenVerifier {
                var endpointAuth = auth
                for scope in definition.scopes where !endpointAuth.requiredScopes.contains(scope) { endpointAuth.requiredScopes.append(scope) }
                let resource = publicURL + definition.path
                let required = endpointAuth.requiredScopes
                endpointResource = ResourceServer(
                    settings: endpointAuth, resource: resource, verifier: tokenVerifier, audiences: [definition.audience ?? resource],
                    resourceName: definition.title ?? "Gatehouse MCP server (\(name))"
                ) {
                    var scopes = required
                    for scope in store.catalog.endpoints[name]?.scopes ?? [] where !scopes.contains(scope) { scopes.append(scope) }
                    return scopes
                }
                endpointConfiguration.insufficientScopeChallenge = endpointResource.map(Self.insufficientScopeChallenge)
            }
            let endpointProvider = CatalogToolProvider(
                store: store, invoker: invoker, metrics: metrics, audit: auditLog,
                requiredScopes: { [endpointResource] tool in endpointResource?.scopes(forTool: tool) ?? tool }, endpoint: name,
                confirmWithoutElicitation: confirmWithoutElicitation, answerParts: answerParts, logger: logger)
            return ServedEndpoint(
                definition: definition,
                server: MCPServer(
                    configuration: endpointConfiguration, tools: endpointProvider, revocations: memory.revocations, events: memory.events,
                    inFlight: memory.inFlight, questions: memory.questions, spentStates: memory.spentStates),
                resourceServer: endpointResource)
        }
        self.console = Self.console(
            settings: settings, http: authHTTP ?? UnavailableAuthHTTP(), store: store, reloads: reloader.state, activity: activity,
            grants: credentialStore.map { credentialStore in
                ConsoleGrants(
                    store: credentialStore.store,
                    events: authorizationServer?.events
                        ?? AuthorizationEventSinks.standard(metrics: metrics),
                    issuesTokens: authorizationServer != nil,
                    forget: { [personal = credentials.source.personal] subject, connector in personal?.forget(subject: subject, connector: connector) })
            }, logger: logger)
    }

    /// The operator console, when an admin group and a public URL are set.
    static func console(
        settings: GatewaySettings, http: any AuthHTTPClient, store: CatalogStore, reloads: ReloadState, activity: OperatorActivity?,
        grants: ConsoleGrants?, logger: Logger
    ) -> AdminConsole? {
        guard let console = settings.console, let publicURL = settings.publicURL else { return nil }
        var consoleLogger = logger
        consoleLogger[metadataKey: "component"] = "console"
        return AdminConsole(
            settings: console,
            signIn: UpstreamIdentityProvider(settings: console.signIn, http: http, logger: logger, allowInsecure: console.allowInsecureSignIn),
            publicURL: publicURL,
            view: { [folder = settings.connectorsPath] in
                ConsoleView(version: version, folder: folder, catalog: store.catalog, reloads: reloads.snapshot, activity: activity?.snapshot)
            },
            grants: grants, logger: consoleLogger)
    }

    /// The token audience of an extra endpoint: its URL unless the file
    /// names another.
    func audience(of endpoint: EndpointDefinition) -> String {
        endpoint.audience ?? (settings.publicURL ?? "http://\(settings.host):\(settings.port)") + endpoint.path
    }

    /// JSON audit lines go straight to stdout beside the JSON log; text
    /// ones through the logging system.
    static func auditSink(for format: LogFormat) -> any AuditSink {
        switch format {
        case .json: JSONAuditSink(fileDescriptor: 1)
        case .text: LoggerAuditSink(logger: Logger(label: "gatehouse.audit"))
        }
    }

    static func insufficientScopeChallenge(_ server: ResourceServer) -> @Sendable ([String]) -> String {
        { scopes in
            server.challenge(for: AuthFailure(
                .insufficientScope, "the access token lacks scopes this tool needs", reason: "insufficient_scope",
                requiredScopes: scopes))
        }
    }

    /// What one reload did.
    public typealias ReloadOutcome = CatalogReloader.Outcome

    /// Rereads the connector folder, swaps in the new catalog and reports
    /// it: metrics, log lines, and a notification to clients with an open
    /// stream when the tool list changed. Reloads must not overlap; the
    /// reload loop runs them one at a time.
    ///
    /// A folder change rereads only the files that changed (and those that
    /// read `${file:…}` secrets); startup and SIGHUP (`full`) reread all.
    @discardableResult
    public func reload(reason: String = "startup", full: Bool = true) throws -> ReloadOutcome {
        let outcome: ReloadOutcome
        do {
            outcome = try reloader.reload(full: full)
        } catch {
            metrics.reload(outcome: "failure")
            logger.error("reload failed: \(error)", metadata: ["reason": .string(reason)])
            throw error
        }
        let result = outcome.result
        endpointAudiences.replace(with: store.catalog.endpointDefinitions.map(audience(of:)))
        metrics.reload(outcome: result.diagnostics.isEmpty ? "success" : "failure")
        metrics.toolsLoaded(result.catalog.tools.count)
        readiness.markCatalogLoaded()
        for diagnostic in result.diagnostics {
            logger.error("connector file problem: \(diagnostic)")
        }
        for record in result.records.values where record.isServingLastGood {
            logger.warning("serving the last good version of \(record.file) until its problems are fixed")
        }
        for problem in outcome.problems {
            logger.error("connector folder problem: \(problem)")
        }
        report(outcome.changes, startup: reason == "startup")
        report(outcome.lockDecisions, locked: outcome.locked)
        logger.info(
            "catalog loaded",
            metadata: [
                "reason": .string(reason),
                "connectors": .stringConvertible(result.catalog.connectors.count),
                "tools": .stringConvertible(result.catalog.tools.count),
                "problems": .stringConvertible(result.diagnostics.count),
                "changed": .stringConvertible(outcome.toolsChanged),
                "duration_ms": .stringConvertible(outcome.duration.milliseconds),
            ])
        if reason != "startup" {
            if outcome.mainListChanged { server.events.publish(.toolsListChanged) }
            for name in outcome.changedEndpoints { endpoints.publish(.toolsListChanged, to: name) }
            if outcome.promptsChanged {
                server.events.publish(.promptsListChanged)
                endpoints.publishToAll(.promptsListChanged)
            }
            if outcome.resourcesChanged {
                server.events.publish(.resourcesListChanged)
                endpoints.publishToAll(.resourcesListChanged)
            }
        }
        return outcome
    }
}

/// Used when OAuth is on but no HTTP client was given: every fetch fails,
/// so tokens are refused rather than accepted unchecked.
struct UnavailableAuthHTTP: AuthHTTPClient {
    struct Unavailable: Error {}
    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) { throw Unavailable() }
    func postForm(_ url: String, form: [(String, String)], basicAuth: (user: String, password: String)?) async throws
        -> (status: Int, body: [UInt8])
    { throw Unavailable() }
}

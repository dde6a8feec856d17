import ArgumentParser
import Catalog
import Configuration
import ConnectorModel
import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceLifecycle
import Upstream

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "Serve REST APIs described in YAML connector files as a remote MCP server.",
        subcommands: [Serve.self, Check.self, ImportOpenAPI.self, Auth.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the MCP server.",
        discussion: "Every option can also be set with its environment variable:\n"
            + GatewaySettings.keys.map { "  \($0.variable): \($0.meaning)" }.joined(separator: "\n")
    )

    @Option(name: .long, help: "Address to listen on (GATEHOUSE_HOST).") var host: String?
    @Option(name: .long, help: "Port to listen on (GATEHOUSE_PORT).") var port: Int?
    @Option(name: .long, help: "Folder of connector files (GATEHOUSE_CONNECTORS).") var connectors: String?
    @Option(name: .long, help: "Public base URL clients use (GATEHOUSE_PUBLIC_URL).") var publicURL: String?
    @Option(name: .long, help: "Log level (GATEHOUSE_LOG_LEVEL).") var logLevel: String?
    @Option(name: .long, help: "Comma-separated allowed browser origins (GATEHOUSE_ALLOWED_ORIGINS).") var allowedOrigins: String?

    func run() async throws {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { values["gatehouse.host"] = .init(.string(host), isSecret: false) }
        if let port { values["gatehouse.port"] = .init(.int(port), isSecret: false) }
        if let connectors { values["gatehouse.connectors"] = .init(.string(connectors), isSecret: false) }
        if let publicURL { values["gatehouse.public.url"] = .init(.string(publicURL), isSecret: false) }
        if let logLevel { values["gatehouse.log.level"] = .init(.string(logLevel), isSecret: false) }
        if let allowedOrigins { values["gatehouse.allowed.origins"] = .init(.string(allowedOrigins), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: values),
            EnvironmentVariablesProvider(),
        ])
        let settings: GatewaySettings
        do {
            settings = try GatewaySettings(reader: reader)
        } catch {
            throw ValidationError("\(error)")
        }
        let logLevel = settings.logLevel
        let logFormat = settings.logFormat
        LoggingSystem.bootstrap { label in
            switch logFormat {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = logLevel
                return handler
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = logLevel
                return handler
            }
        }
        let logger = Logger(label: "gatehouse")
        let httpClient = HTTPUpstreamClient.makeHTTPClient(caFile: settings.caFile)
        let metrics = GatewayMetrics()
        var authorizationServer: BuiltInAuthorizationServer?
        if let builtIn = settings.authorizationServer, let publicURL = settings.publicURL {
            do {
                authorizationServer = try await BuiltInAuthorizationServer.start(
                    settings: builtIn, publicURL: publicURL, http: httpClient,
                    events: AuthorizationEventSinks([AuthorizationAuditLog(), AuthorizationEventMetrics(metrics: metrics)]),
                    logger: logger)
            } catch {
                logger.critical("cannot start the built-in authorization server: \(error)")
                try await httpClient.shutdown()
                throw ExitCode.failure
            }
            logger.info(
                "built-in authorization server on",
                metadata: [
                    "issuer": .string(publicURL), "identity_provider": .string(builtIn.upstream.issuer),
                    "store": .string(builtIn.isPostgres ? "postgresql" : builtIn.store),
                ])
        }
        let gateway = Gateway(
            settings: settings, upstream: HTTPUpstreamClient(client: httpClient), authHTTP: HTTPAuthClient(client: httpClient),
            authorizationServer: authorizationServer, loader: CatalogLoader(limits: settings.loadLimits), metrics: metrics,
            logger: logger)
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
            try? await authorizationServer?.close()
            try await httpClient.shutdown()
            throw ExitCode.failure
        }
        if settings.sessionSecret == nil {
            logger.notice("GATEHOUSE_SESSION_SECRET is not set: legacy sessions are valid on this process only")
        }
        logger.info("serving MCP at http://\(settings.host):\(settings.port)/mcp")
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let operations = gateway.operationsApplication() {
            logger.info(
                "serving /status, /metrics and the probes at http://\(settings.operationsHost ?? settings.host):\(settings.operationsPort ?? 0)")
            services.append(.init(service: operations))
        }
        services.append(.init(service: gateway.application()))
        services.append(.init(service: ReloadService(gateway: gateway)))
        services += (authorizationServer?.services(logger: logger) ?? []).map { .init(service: $0) }
        services.append(.init(service: ShutdownDelayService(readiness: gateway.readiness, delay: settings.shutdownDelay, logger: logger)))
        var configuration = ServiceGroupConfiguration(
            // Shut down in reverse order: /readyz turns 503 and the listeners
            // stay open for the shutdown delay; then the reload service ends
            // the notification streams, and the servers stop accepting and
            // let calls in flight finish.
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Calls still running after the delay and the grace period are cancelled.
        configuration.maximumGracefulShutdownDuration = settings.shutdownDelay + settings.shutdownGrace
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            logger.error("shutdown did not complete cleanly: \(error)")
            gateway.readiness.markUpstreamClosed()
            try? await authorizationServer?.close()
            try? await httpClient.shutdown()
            throw ExitCode.failure
        }
        gateway.readiness.markUpstreamClosed()
        try? await authorizationServer?.close()
        try await httpClient.shutdown()
        logger.info("stopped")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate connector files; exit 1 listing every problem as file:line:column: message."
    )

    @Argument(help: "Connector files or folders to check.") var paths: [String] = ["connectors.d"]

    func run() throws {
        let limits: LoadLimits
        do {
            limits = try GatewaySettings.loadLimits(ConfigReader(provider: EnvironmentVariablesProvider()))
        } catch {
            throw ValidationError("\(error)")
        }
        var problems = 0
        var tools = 0
        var files = 0
        for path in paths {
            let result: CatalogLoader.Result
            do {
                result = try CatalogLoader(limits: limits).load(directory: path)
            } catch {
                print("\(path):1:1: \(error)")
                problems += 1
                continue
            }
            files += result.files.count
            tools += result.catalog.tools.count
            for diagnostic in result.diagnostics { print(diagnostic.description) }
            problems += result.diagnostics.count
        }
        if problems > 0 {
            print("\(problems) problem\(problems == 1 ? "" : "s") found")
            throw ExitCode.failure
        }
        print("ok: \(files) file\(files == 1 ? "" : "s"), \(tools) tool\(tools == 1 ? "" : "s")")
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() throws { print("gatehouse \(Gateway.version)") }
}

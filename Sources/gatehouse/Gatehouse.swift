import ArgumentParser
import Catalog
import Configuration
import ConnectorModel
import Foundation
import Gateway
import Logging
import Telemetry

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "Serve REST APIs described in YAML connector files as a remote MCP server.",
        subcommands: [Serve.self, Check.self, Test.self, Doctor.self, Lock.self, Diff.self, ImportOpenAPI.self, Auth.self, Version.self, Settings.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the MCP server.",
        discussion: SettingsReference.help
    )

    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.host.flagHelp)) var host: String?
    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.port.flagHelp)) var port: Int?
    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.connectors.flagHelp)) var connectors: String?
    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.publicURL.flagHelp)) var publicURL: String?
    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.logLevel.flagHelp)) var logLevel: String?
    @Option(name: .long, help: .init(stringLiteral: SettingDeclaration.allowedOrigins.flagHelp)) var allowedOrigins: String?

    /// The flags given, as configuration values that win over the environment.
    var flags: [AbsoluteConfigKey: ConfigValue] {
        let given: [(SettingDeclaration, ConfigContent?)] = [
            (.host, host.map { .string($0) }), (.port, port.map { .int($0) }), (.connectors, connectors.map { .string($0) }),
            (.publicURL, publicURL.map { .string($0) }), (.logLevel, logLevel.map { .string($0) }),
            (.allowedOrigins, allowedOrigins.map { .string($0) }),
        ]
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for case (let setting, let value?) in given { values[AbsoluteConfigKey(setting.configKey)] = .init(value, isSecret: false) }
        return values
    }

    func run() async throws {
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(),
        ])
        let settings: GatewaySettings
        do {
            settings = try GatewaySettings(reader: reader)
        } catch {
            throw ValidationError("\(error)")
        }
        Self.bootstrapLogging(settings)
        AllocatorTuning.apply(environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "gatehouse")
        let telemetry: Telemetry
        do {
            telemetry = try Telemetry.start(
                environment: ProcessInfo.processInfo.environment, serviceVersion: Gateway.version,
                durationBuckets: ["gatehouse_upstream_duration_seconds": GatewayMetrics.upstreamDurationBuckets],
                logger: Logger(label: "gatehouse.telemetry"))
        } catch {
            throw ValidationError("\(error)")
        }
        if !telemetry.signals.isEmpty {
            logger.info(
                "exporting OpenTelemetry over OTLP/HTTP",
                metadata: ["traces": .stringConvertible(telemetry.signals.traces), "metrics": .stringConvertible(telemetry.signals.metrics)])
        }
        do {
            try await GatewayApp(
                settings: settings, logger: logger, metrics: GatewayMetrics(exported: telemetry.metrics), tracer: telemetry.tracer,
                telemetryServices: telemetry.services
            ).run()
        } catch is GatewayApp.Failure {
            throw ExitCode.failure
        }
    }

    static func bootstrapLogging(_ settings: GatewaySettings) {
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
            let folder = ConnectorFolder(path: path, limits: limits)
            let endpoints = EndpointsFile.read(folder)
            for diagnostic in endpoints.diagnostics { print(diagnostic.description) }
            problems += endpoints.diagnostics.count
            problems += checkLock(in: folder, tools: result.catalog.tools)
        }
        if problems > 0 {
            print("\(problems) problem\(problems == 1 ? "" : "s") found")
            throw ExitCode.failure
        }
        print("ok: \(files) file\(files == 1 ? "" : "s"), \(tools) tool\(tools == 1 ? "" : "s")")
    }
}

extension Check {
    /// With a `connectors.lock` beside the files, every tool must match it:
    /// CI fails on a change nobody reviewed.
    func checkLock(in folder: ConnectorFolder, tools: [CatalogTool]) -> Int {
        guard let source = folder.readSpecial(ConnectorLock.fileName) else { return 0 }
        guard let text = source.text else {
            print("\(source.file):1:1: \(source.problem ?? "cannot read file")")
            return 1
        }
        let lock = ConnectorLock(parsing: text, file: source.file)
        for problem in lock.problems { print(problem.description) }
        let stale = lock.staleness(of: tools)
        var locations: [String: SourceLocation] = [:]
        for tool in tools { locations[tool.name] = tool.definition.location }
        for mismatch in stale {
            let place = locations[mismatch.tool].map { "\($0.file):\($0.line):\($0.column)" } ?? "\(source.file):1:1"
            print("\(place): \(mismatch); the lock is stale: review with `gatehouse diff`, then run `gatehouse lock`")
        }
        return lock.problems.count + stale.count
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() throws { print("gatehouse \(Gateway.version)") }
}

/// Prints the settings reference; `docs/settings.md` is its output.
struct Settings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every setting as the Markdown table of docs/settings.md.", shouldDisplay: false)

    @Flag(help: "Print Markdown (the only format).") var markdown = false

    func run() throws { print(SettingsReference.markdown, terminator: "") }
}

import ArgumentParser
import Catalog
import Configuration
import Foundation
import Gateway
import Logging

@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "Serve REST APIs described in YAML connector files as a remote MCP server.",
        subcommands: [Serve.self, Check.self, ImportOpenAPI.self, Auth.self, Version.self, Settings.self],
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
        do {
            try await GatewayApp(settings: settings, logger: Logger(label: "gatehouse")).run()
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

/// Prints the settings reference; `docs/settings.md` is its output.
struct Settings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every setting as the Markdown table of docs/settings.md.", shouldDisplay: false)

    @Flag(help: "Print Markdown (the only format).") var markdown = false

    func run() throws { print(SettingsReference.markdown, terminator: "") }
}

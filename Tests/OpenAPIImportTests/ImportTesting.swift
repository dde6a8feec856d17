import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

/// Imports a document and loads the result with the server's own decoder, so
/// every test also checks that the output is a valid connector file.
struct Imported {
    var result: ImportResult
    var connector: Connector

    init(
        _ document: String, name: String? = nil, baseURL: String? = nil, include: [String] = [], exclude: [String] = [],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let filter = try OperationFilter(including: include, excluding: exclude)
        let options = ImportOptions(connectorName: name, baseURL: baseURL, filter: filter, sourceName: "spec.yaml")
        result = try OpenAPIImporter(options: options).run(text: document)
        let decoded = ConnectorDecoder().decode(yaml: result.yaml, file: "out.yaml")
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics.map(\.description))\n\(result.yaml)", sourceLocation: sourceLocation)
        connector = try #require(decoded.connector, sourceLocation: sourceLocation)
    }

    var toolNames: [String] { connector.tools.map(\.name) }

    func tool(_ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> ToolDefinition {
        try #require(connector.tools.first { $0.name == name }, "no tool \(name) in \(toolNames)", sourceLocation: sourceLocation)
    }

    /// Every note, as `subject: message`.
    var notes: [String] { result.notes.map(\.description) }
}

extension ToolDefinition {
    func parameter(_ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Parameter {
        try #require(parameters.first { $0.name == name }, "no parameter \(name) in \(parameters.map(\.name))", sourceLocation: sourceLocation)
    }
}

/// The error an import fails with.
func importError(_ document: String, baseURL: String? = nil, name: String? = nil, include: [String] = []) -> ImportError? {
    do {
        let filter = try OperationFilter(including: include, excluding: [])
        _ = try OpenAPIImporter(
            options: ImportOptions(connectorName: name, baseURL: baseURL, filter: filter, sourceName: "spec.yaml")
        ).run(text: document)
        return nil
    } catch {
        return error
    }
}

/// A 3.1 document with one server, the given paths and components, each
/// given as YAML indented for its section.
func document(paths: String, components: String = "", version: String = "3.1.0", servers: String? = nil) -> String {
    """
    openapi: \(version)
    info:
      title: Test API
      version: "1.0"
    servers:
    \(servers ?? "  - url: https://api.example.com/v1")
    paths:
    \(paths)
    components:
    \(components.isEmpty ? "  {}" : components)
    """
}

import ConnectorModel
import Foundation

/// Reads every connector file of a folder into a ``Catalog``.
///
/// Files are read in name order so that a conflict between two files (the
/// same tool or connector name) is always blamed on the same one: the later.
public struct CatalogLoader: Sendable {
    public var decoder: ConnectorDecoder

    public init(decoder: ConnectorDecoder = ConnectorDecoder()) {
        self.decoder = decoder
    }

    public struct Result: Sendable {
        public var catalog: Catalog
        /// Every problem, in file order; a file with problems contributes no tools.
        public var diagnostics: [Diagnostic]
        public var files: [String]
    }

    public struct FolderError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The connector files of a folder: `*.yaml` and `*.yml`, skipping hidden
    /// entries such as the `..data` folder of a Kubernetes ConfigMap mount.
    public static func connectorFiles(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw FolderError(description: "\(directory): no such folder")
        }
        guard isDirectory.boolValue else {
            return [directory]
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
    }

    public func load(directory: String, generation: UInt64 = 1) throws -> Result {
        let files = try Self.connectorFiles(in: directory)
        var sources: [(file: String, text: String?)] = []
        for file in files {
            sources.append((file, try? String(contentsOfFile: file, encoding: .utf8)))
        }
        return assemble(sources, generation: generation)
    }

    /// Builds a catalog from file texts already in memory (a `nil` text is a
    /// file that could not be read).
    public func assemble(_ sources: [(file: String, text: String?)], generation: UInt64 = 1) -> Result {
        var diagnostics: [Diagnostic] = []
        var tools: [CatalogTool] = []
        var summaries: [ConnectorSummary] = []
        var toolOwners: [String: SourceLocation] = [:]
        var connectorOwners: [String: SourceLocation] = [:]
        for (file, text) in sources {
            guard let text else {
                diagnostics.append(Diagnostic(file: file, line: 1, column: 1, message: "cannot read file"))
                continue
            }
            let directory = (file as NSString).deletingLastPathComponent
            let decoded = decoder.decode(yaml: text, file: file, directory: directory.isEmpty ? "." : directory)
            diagnostics += decoded.diagnostics
            guard let connector = decoded.connector else { continue }
            var conflicts: [Diagnostic] = []
            if let owner = connectorOwners[connector.name] {
                conflicts.append(connector.location.diagnostic(
                    "connector name '\(connector.name)' is already used by \(owner.file)"))
            }
            for tool in connector.tools {
                if let owner = toolOwners[tool.name] {
                    conflicts.append(tool.location.diagnostic(
                        "tool name '\(tool.name)' is already defined at \(owner.file):\(owner.line):\(owner.column)"))
                }
            }
            guard conflicts.isEmpty else {
                diagnostics += conflicts
                continue
            }
            connectorOwners[connector.name] = connector.location
            let target = connector.target
            for tool in connector.tools {
                toolOwners[tool.name] = tool.location
                tools.append(CatalogTool(definition: tool, target: target))
            }
            summaries.append(ConnectorSummary(name: connector.name, file: file, toolCount: connector.tools.count))
        }
        return Result(
            catalog: Catalog(tools: tools, connectors: summaries, generation: generation), diagnostics: diagnostics,
            files: sources.map(\.file))
    }
}

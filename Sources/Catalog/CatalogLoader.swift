import ConnectorModel
import Foundation

/// Reads every connector file of a folder into a ``Catalog``.
///
/// Files are read in name order so that a conflict between two files (the
/// same tool or connector name) is always blamed on the same one: the later.
public struct CatalogLoader: Sendable {
    public var decoder: ConnectorDecoder
    public var limits: LoadLimits

    public init(decoder: ConnectorDecoder = ConnectorDecoder(), limits: LoadLimits = LoadLimits()) {
        self.decoder = decoder
        self.limits = limits
    }

    public struct Result: Sendable {
        public var catalog: Catalog
        /// Every problem, in file order. A file with problems contributes its
        /// last good version, if it had one, or nothing.
        public var diagnostics: [Diagnostic]
        public var files: [String]
        /// What to pass as `previous` to the next reload.
        public var records: [String: FileRecord]
    }

    public typealias FolderError = ConnectorFolder.FolderError

    /// The connector files of a folder: `*.yaml` and `*.yml`, skipping hidden
    /// entries such as the `..data` folder of a Kubernetes ConfigMap mount.
    public static func connectorFiles(in directory: String) throws -> [String] {
        try ConnectorFolder(path: directory).files()
    }

    public func load(
        directory: String, previous: [String: FileRecord] = [:], generation: UInt64 = 1, rereadAll: Bool = true
    ) throws -> Result {
        let sources = try ConnectorFolder(path: directory, limits: limits).read()
        return assemble(sources, previous: previous, generation: generation, rereadAll: rereadAll)
    }

    /// Builds a catalog from file texts already in memory; a `nil` text is a
    /// file that could not be read.
    public func assemble(
        _ sources: [(file: String, text: String?)], previous: [String: FileRecord] = [:], generation: UInt64 = 1,
        rereadAll: Bool = true
    ) -> Result {
        assemble(sources.map { LoadedSource(file: $0.file, text: $0.text) }, previous: previous, generation: generation, rereadAll: rereadAll)
    }

    /// Builds a catalog from the sources a folder read gave (a source without
    /// text is a file problem).
    ///
    /// Each file is isolated: a file whose new text is broken keeps serving
    /// its last good version from `previous`. When two files claim the same
    /// tool or connector name, the change is refused, not the file that
    /// already served the name: files whose text is unchanged are placed
    /// first, then changed and new files in name order.
    ///
    /// With `rereadAll` false, a file whose text is the one already served
    /// and that reads no `${file:…}` secret is not decoded again: a change
    /// to one file of a large folder costs one file's work.
    public func assemble(
        _ sources: [LoadedSource], previous: [String: FileRecord] = [:], generation: UInt64 = 1,
        rereadAll: Bool = true
    ) -> Result {
        struct Entry {
            var file: String
            var textHash: Int
            var decoded: ConnectorDecoder.Result
            var previous: FileRecord?
            var isStable: Bool
        }
        var entries: [Entry] = []
        for source in sources {
            let (file, text) = (source.file, source.text)
            let hash = text?.hashValue ?? 0
            let before = previous[file]
            if !rereadAll, let text, let before, let served = before.served, before.servedTextHash == hash,
                !before.isServingLastGood, !text.contains("${file:")
            {
                entries.append(Entry(
                    file: file, textHash: hash, decoded: ConnectorDecoder.Result(connector: served, diagnostics: []),
                    previous: before, isStable: true))
                continue
            }
            let decoded: ConnectorDecoder.Result
            if let text {
                let directory = (file as NSString).deletingLastPathComponent
                decoded = decoder.decode(yaml: text, file: file, directory: directory.isEmpty ? "." : directory)
            } else {
                decoded = ConnectorDecoder.Result(
                    connector: nil,
                    diagnostics: [Diagnostic(file: file, line: 1, column: 1, message: source.problem ?? "cannot read file")])
            }
            // Stable: the text is exactly the one being served.
            let stable = before?.served != nil && before?.servedTextHash == hash && decoded.connector != nil
            entries.append(Entry(file: file, textHash: hash, decoded: decoded, previous: before, isStable: stable))
        }

        var claims = NameClaims()
        var records: [String: FileRecord] = [:]
        for entry in entries.filter(\.isStable) + entries.filter({ !$0.isStable }) {
            var diagnostics = entry.decoded.diagnostics
            var served: Connector?
            if let candidate = entry.decoded.connector {
                let conflicts = claims.conflicts(of: candidate)
                if conflicts.isEmpty {
                    served = candidate
                } else {
                    diagnostics += conflicts
                }
            }
            var isLastGood = false
            var servedTextHash = entry.textHash
            if served == nil, let before = entry.previous, let fallback = before.served, claims.conflicts(of: fallback).isEmpty {
                served = fallback
                servedTextHash = before.servedTextHash
                isLastGood = true
            }
            if let served { claims.claim(served, file: entry.file) }
            records[entry.file] = FileRecord(
                file: entry.file, served: served, servedTextHash: servedTextHash,
                diagnostics: diagnostics, isServingLastGood: isLastGood)
        }

        var tools: [CatalogTool] = []
        var prompts: [CatalogPrompt] = []
        var resources: [CatalogResource] = []
        var summaries: [ConnectorSummary] = []
        var diagnostics: [Diagnostic] = []
        for source in sources {
            let file = source.file
            guard let record = records[file] else { continue }
            diagnostics += record.diagnostics
            guard let connector = record.served else { continue }
            let target = connector.target
            for tool in connector.tools { tools.append(CatalogTool(definition: tool, target: connector.target(for: tool))) }
            for prompt in connector.prompts { prompts.append(CatalogPrompt(definition: prompt, connector: connector.name)) }
            for resource in connector.resources { resources.append(CatalogResource(definition: resource, target: target)) }
            summaries.append(ConnectorSummary(name: connector.name, file: file, toolCount: connector.tools.count))
        }
        return Result(
            catalog: Catalog(tools: tools, connectors: summaries, generation: generation, prompts: prompts, resources: resources), diagnostics: diagnostics,
            files: sources.map(\.file), records: records)
    }
}

/// What the loader remembers about one file between reloads.
public struct FileRecord: Sendable {
    public var file: String
    /// The version being served: the current text, or the last good one.
    public var served: Connector?
    /// The hash of the text `served` came from: tells an unchanged file
    /// from an edited one.
    public var servedTextHash: Int
    /// Problems of the file's current text; empty when it is what is served.
    public var diagnostics: [Diagnostic]
    /// True while a broken edit is ignored in favour of the previous version.
    public var isServingLastGood: Bool
}

/// Tool and connector names already taken during one assembly.
struct NameClaims {
    var tools: [String: SourceLocation] = [:]
    var prompts: [String: SourceLocation] = [:]
    var resources: [String: SourceLocation] = [:]
    var connectors: [String: String] = [:]

    func conflicts(of connector: Connector) -> [Diagnostic] {
        var conflicts: [Diagnostic] = []
        if let owner = connectors[connector.name] {
            conflicts.append(connector.location.diagnostic(
                "connector name '\(connector.name)' is already used by \(owner)"))
        }
        for tool in connector.tools {
            if let owner = tools[tool.name] {
                conflicts.append(tool.location.diagnostic(
                    "tool name '\(tool.name)' is already defined at \(owner.file):\(owner.line):\(owner.column)"))
            }
        }
        for prompt in connector.prompts {
            if let owner = prompts[prompt.name] {
                conflicts.append(prompt.location.diagnostic(
                    "prompt name '\(prompt.name)' is already defined at \(owner.file):\(owner.line):\(owner.column)"))
            }
        }
        for resource in connector.resources {
            let key = Self.resourceKey(resource)
            if let owner = resources[key] {
                conflicts.append(resource.request.location.diagnostic(
                    "resource '\(resource.name)' (\(key)) is already defined at \(owner.file):\(owner.line):\(owner.column)"))
            }
        }
        return conflicts
    }

    /// Resources are told apart by name and by fixed URI.
    static func resourceKey(_ resource: ResourceDefinition) -> String {
        if case .fixed(let uri) = resource.address { return uri }
        return "name " + resource.name
    }

    mutating func claim(_ connector: Connector, file: String) {
        connectors[connector.name] = file
        for tool in connector.tools { tools[tool.name] = tool.location }
        for prompt in connector.prompts { prompts[prompt.name] = prompt.location }
        for resource in connector.resources { resources[Self.resourceKey(resource)] = resource.request.location }
    }
}

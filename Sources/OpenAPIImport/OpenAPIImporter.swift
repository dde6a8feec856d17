import Foundation
import ConnectorModel
import OpenAPIKit

/// `gatehouse import-openapi`: an OpenAPI 3.0, 3.1 or 3.2 document in, a
/// connector file that passes `gatehouse check` out.
///
/// Every tool is checked with the same decoder the server uses before it is
/// written, so a document the mapping did not foresee costs a tool (with a
/// comment saying why), never the whole file.
public struct OpenAPIImporter: Sendable {
    public var options: ImportOptions

    public init(options: ImportOptions) {
        self.options = options
    }

    public func run(text: String) throws(ImportError) -> ImportResult {
        let source = try SourceDocument(text: text, directory: options.documentDirectory, filter: options.filter)
        if source.operationCount == 0 { throw ImportError("the document has no operations to import") }
        if source.keptOperationCount == 0 { throw ImportError("no operation matches the --include/--exclude filters") }
        let baseURL = try BaseURLChoice.resolve(option: options.baseURL, servers: source.document.servers)
        let name = options.connectorName ?? Naming.connectorName(fromTitle: source.document.info.title)
        guard Naming.isValidConnectorName(name) else {
            throw ImportError("--name '\(name)' must be 1-64 characters of letters, digits, '_' and '-'")
        }
        guard options.toolPrefix.isEmpty || (options.toolPrefix.count <= 32 && Naming.isValidConnectorName(options.toolPrefix)) else {
            throw ImportError("--tool-prefix '\(options.toolPrefix)' must be 1-32 characters of letters, digits, '_' and '-'")
        }

        let documentServer = try? BaseURLChoice.resolve(option: nil, servers: source.document.servers)
        var tools = try tools(from: source.document, documentServer: documentServer)
        tools.notes.insert(contentsOf: Self.schemaNotes(source), at: 0)
        var file = ConnectorFile(
            header: [], name: name,
            description: Text.nonEmpty(source.document.info.summary) ?? Text.nonEmpty(source.document.info.title),
            baseURL: baseURL, entries: tools.entries)
        let writer = ConnectorWriter()
        let refused: [(origin: String, reason: String)]
        (file, refused) = try ToolCheck.checked(file, writer: writer)
        if !refused.isEmpty {
            tools.entries = file.entries
            tools.count -= refused.count
            guard tools.count > 0 else { throw ImportError("no operation could be written as a valid tool") }
            tools.notes += refused.map { ImportNote(subject: $0.origin, message: "skipped: \($0.reason)") }
        }
        file.header = header(source, tools: tools, connectorName: name)
        let yaml = writer.render(file)
        return ImportResult(yaml: yaml, notes: tools.notes, toolCount: tools.count, skippedCount: tools.skipped)
    }

    /// The tools and skipped operations, in the document's order.
    private struct Tools {
        var entries: [ConnectorFile.Entry] = []
        var notes: [ImportNote] = []
        var count = 0
        var skipped: Int { entries.count - count }
    }

    /// What one operation became, before its name is made unique.
    private enum Mapped: Sendable {
        case tool(ToolDraft)
        case skipped(origin: String, reason: String)
    }

    /// The selected operations of one path, mapped.
    private struct PathResult: Sendable {
        var endpoints = 0
        var selected = 0
        var mapped: [Mapped] = []
        var failure: ImportError?
    }

    /// Dereferences and maps the operations of one path. A path is
    /// expanded alone and dropped once mapped, so memory stays that of the
    /// largest paths rather than of the whole expanded document.
    private func mapPath(_ path: OpenAPI.Path, _ item: OpenAPI.PathItem.Map.Value, in document: OpenAPI.Document, mapper: OperationMapper)
        -> PathResult
    {
        var result = PathResult()
        var single = document
        single.paths = [path: item]
        let endpoints: [ResolvedEndpoint]
        do {
            endpoints = try single.locallyDereferenced().resolvedEndpoints()
        } catch {
            result.failure = ImportError.unresolvableReference(OpenAPI.Error(from: error).localizedDescription)
            return result
        }
        result.endpoints = endpoints.count
        for endpoint in endpoints {
            let summary = OperationSummary(
                operationId: endpoint.operationId, tags: endpoint.tags, path: endpoint.path.rawValue, method: endpoint.method.rawValue)
            guard options.filter.admits(summary) else { continue }
            result.selected += 1
            switch mapper.map(endpoint) {
            case .tool(var draft):
                if !options.toolPrefix.isEmpty { draft.name = Naming.shortened(options.toolPrefix + draft.name) }
                do {
                    result.mapped.append(.tool(try UnionArguments.written(draft)))
                } catch {
                    result.mapped.append(.skipped(origin: draft.origin, reason: "its request body cannot be sent: \(error.reason)"))
                }
            case .skipped(let reason):
                result.mapped.append(.skipped(origin: OperationMapper.origin(of: endpoint), reason: reason))
            }
        }
        return result
    }

    /// Maps every path, several at a time: expanding and mapping a path
    /// reads the document and nothing else, and is most of an import's
    /// work. Results keep the document's order.
    private func mapPaths(of document: OpenAPI.Document, mapper: OperationMapper) -> [PathResult] {
        let paths = Array(document.paths)
        let results = ResultSlots<PathResult>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            results.put(mapPath(paths[index].key, paths[index].value, in: document, mapper: mapper), at: index)
        }
        return results.values
    }

    private func tools(from document: OpenAPI.Document, documentServer: String?) throws(ImportError) -> Tools {
        var tools = Tools()
        var taken = Set<String>()
        var endpointCount = 0
        var selectedCount = 0
        for path in mapPaths(of: document, mapper: OperationMapper(documentServer: documentServer)) {
            if let failure = path.failure { throw failure }
            endpointCount += path.endpoints
            selectedCount += path.selected
            for mapped in path.mapped {
                switch mapped {
                case .tool(var draft):
                    draft.name = Naming.unique(draft.name, among: taken)
                    taken.insert(draft.name)
                    tools.count += 1
                    tools.entries.append(.tool(draft))
                    tools.notes += draft.notes.map { ImportNote(subject: draft.origin, message: $0) }
                case .skipped(let origin, let reason):
                    tools.entries.append(.skipped(origin: origin, reason: reason))
                    tools.notes.append(ImportNote(subject: origin, message: "skipped: \(reason)"))
                }
            }
        }
        guard tools.count > 0 else {
            if endpointCount == 0 { throw ImportError("the document has no operations to import") }
            if selectedCount == 0 { throw ImportError("no operation matches the --include/--exclude filters") }
            throw ImportError(
                "none of the \(selectedCount) selected operations can become a tool:\n"
                    + tools.notes.map { "  \($0)" }.joined(separator: "\n"))
        }
        return tools
    }

    private static func schemaNotes(_ source: SourceDocument) -> [ImportNote] {
        var notes = source.cuts.map {
            ImportNote(
                subject: "schema '\($0.schema)'",
                message: "its reference back to '\($0.target)' is recursive; it is cut there to a plain object")
        }
        notes += source.repairs.map { ImportNote(subject: "document", message: $0) }
        if source.cutDeepReferences {
            notes.append(
                ImportNote(
                    subject: "schemas",
                    message: "references nested more than \(SchemaMapper.defaultMaximumDepth) levels deep are cut to a plain object"))
        }
        return notes
    }

    /// Where the file came from, what was cut, and how to authenticate.
    private func header(_ source: SourceDocument, tools: Tools, connectorName: String) -> [String] {
        let info = source.document.info
        var header = [
            "Generated by gatehouse import-openapi from \(Text.oneLine(options.sourceName))",
            "(\(Text.oneLine(info.title)), version \(Text.oneLine(info.version)), OpenAPI \(source.declaredVersion)).",
            "\(tools.count) tool\(tools.count == 1 ? "" : "s")"
                + (tools.skipped > 0
                    ? ", \(tools.skipped) operation\(tools.skipped == 1 ? "" : "s") skipped (see the comments below)." : "."),
            "Review the descriptions: they are what the model reads to choose a tool.",
        ]
        if !source.cuts.isEmpty {
            header.append("")
            header += Text.wrap(
                "Recursive schemas are expanded once; these references back became a plain object: "
                    + source.cuts.map { "\($0.schema) → \($0.target)" }.joined(separator: ", ") + ".", width: 96)
        }
        if source.cutDeepReferences {
            header.append("")
            header += Text.wrap(
                "References nested more than \(SchemaMapper.defaultMaximumDepth) levels deep became a plain object.", width: 96)
        }
        let schemes = source.document.components.securitySchemes.compactMap { key, value in
            value.b.map { (name: key.rawValue, scheme: $0) }
        }
        let hint = SecurityHint.lines(schemes: schemes, connectorName: connectorName)
        if !hint.isEmpty { header += [""] + hint }
        return header
    }
}

/// What an import produced.
public struct ImportResult: Sendable {
    /// The connector file.
    public var yaml: String
    /// Everything left out or loosened, also written as comments in `yaml`.
    public var notes: [ImportNote]
    public var toolCount: Int
    /// Selected operations that did not become tools.
    public var skippedCount: Int
}

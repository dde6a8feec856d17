import Foundation
import GatehouseJSON
import Yams

/// Turns the text of one connector file into a validated ``Connector``, or
/// into every problem the file has, each with its line and column.
public struct ConnectorDecoder: Sendable {
    public var secrets: any SecretSource

    public init(secrets: any SecretSource = ProcessSecretSource()) {
        self.secrets = secrets
    }

    /// Problems listed per file; more are counted, not shown.
    public static let maxDiagnostics = 50

    public struct Result: Sendable {
        /// Present only when the file has no problems.
        public var connector: Connector?
        public var diagnostics: [Diagnostic]

        public init(connector: Connector?, diagnostics: [Diagnostic]) {
            self.connector = connector
            self.diagnostics = diagnostics
        }
    }

    /// - Parameters:
    ///   - file: the name used in diagnostics (usually the path).
    ///   - directory: where relative `${file:…}` secrets are looked up.
    public func decode(yaml: String, file: String, directory: String = ".") -> Result {
        var decoding = YAMLDecoding(file: file)
        let root: Yams.Node
        switch Self.compose(yaml, file: file) {
        case .success(let node): root = node
        case .failure(let problem): return Result(connector: nil, diagnostics: [problem])
        }
        var reader = ConnectorReader(
            decoding: decoding, secrets: SecretResolver(source: secrets, baseDirectory: directory))
        let connector = reader.readConnector(root)
        decoding = reader.decoding
        var diagnostics = decoding.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        if diagnostics.count > Self.maxDiagnostics {
            // Something that is not a connector file at all (a stray
            // document, a link target) need not be listed line by line.
            let more = diagnostics.count - Self.maxDiagnostics
            diagnostics = Array(diagnostics.prefix(Self.maxDiagnostics))
            diagnostics.append(Diagnostic(file: file, line: 1, column: 1, message: "\(more) more problems not shown"))
        }
        return Result(connector: diagnostics.isEmpty ? connector : nil, diagnostics: diagnostics)
    }

    /// The file's YAML tree, or the one problem that stops reading it:
    /// alias or collection keys, no document, invalid YAML.
    static func compose(_ yaml: String, file: String) -> Swift.Result<Yams.Node, Diagnostic> {
        if let refusal = AliasKeyCheck.refusal(in: yaml, file: file) { return .failure(refusal) }
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return .failure(Diagnostic(file: file, line: 1, column: 1, message: "file is empty"))
            }
            return .success(node)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, file: file))
        } catch {
            return .failure(Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML"))
        }
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(detail)")
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate keys \(duplicates.prefix(5).map(Diagnostic.quoted).joined(separator: ", "))")
        default:
            // Other errors may quote the text; the text may not be YAML at all.
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML")
        }
    }
}

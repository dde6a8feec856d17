import Foundation
import GatehouseJSON
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat
import Yams

/// An OpenAPI document read from JSON or YAML text, as an OpenAPI 3.1 model
/// whatever version it was written in.
struct SourceDocument {
    var document: OpenAPIKit.OpenAPI.Document
    /// The `openapi:` field as written, for the generated file's header.
    var declaredVersion: String
    /// References cut to end cycles among the component schemas.
    var cuts: [ReferenceCycleBreaker.Cut]
    /// Whether chains of references were cut at the import's depth limit.
    var cutDeepReferences: Bool

    /// What was read tolerantly (see ``DocumentRepair``), as notes.
    var repairs: [String]

    /// Operations in the document, and how many the filters kept.
    var operationCount = 0
    var keptOperationCount = 0

    init(text: String, directory: String? = nil, filter: OperationFilter = OperationFilter()) throws(ImportError) {
        var external: [String] = []
        // One tree, changed in place by each step: a large document is held
        // once, not once per step.
        var root = try Self.tree(text, directory: directory, notes: &external)
        guard case .object = root else { throw ImportError.notAMapping }
        guard let version = Self.versionText(root["openapi"]) else {
            if let swagger = Self.versionText(root["swagger"]) { throw ImportError.swagger(swagger) }
            throw ImportError.notOpenAPI
        }
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "3", ["0", "1", "2"].contains(parts[1]), parts[2].allSatisfy(\.isNumber),
            !parts[2].isEmpty
        else { throw ImportError.unsupportedVersion(version) }

        var repair = DocumentRepair(numericExclusives: parts[1] != "0")
        repair.repair(&root)
        repairs = external + repair.notes
        let counts = DocumentPruning.prune(&root, filter: filter)
        operationCount = counts.operations
        keptOperationCount = counts.kept
        cuts = ReferenceCycleBreaker.breakCycles(in: &root)
        cutDeepReferences = ReferenceDepthLimiter.limit(&root, to: SchemaMapper.defaultMaximumDepth)
        do {
            document = try Self.decode(root, legacy: parts[1] == "0")
        } catch {
            throw ImportError.invalidDocument(Self.describeDecoding(error))
        }
        declaredVersion = version
    }

    /// `openapi: 3.1.0` as written; a number (`openapi: 3.1`) as its text,
    /// so the version error can name it.
    private static func versionText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .double(let number)?: "\(number)"
        case .int(let number)?: "\(number)"
        default: nil
        }
    }

    /// The document as one JSON tree, with references to other files
    /// resolved (see ``ExternalReferences``).
    static func tree(_ text: String, directory: String?, notes: inout [String]) throws(ImportError) -> JSONValue {
        var node: Yams.Node
        if Self.looksLikeJSON(text) {
            let value = try Self.parseJSON(text)
            guard DocumentPruning.references(in: value).contains(where: { !$0.hasPrefix("#") }) else { return value }
            node = NodeJSON.node(from: value)
        } else {
            node = try Self.composeYAML(text)
            guard ExternalReferences.hasExternal(node) else { return NodeJSON.value(node) }
        }
        var references = ExternalReferences(directory: directory)
        let normalized = MappingKeys.normalized(node)
        references.reserveExistingNames(in: normalized)
        node = try references.bundle(normalized)
        let read = references.movedCount + references.placed
        notes.append(
            "\(read) part\(read == 1 ? " of another file was" : "s of other files were") read: \(references.movedCount) became components, \(references.placed) put in place")
        return NodeJSON.value(node)
    }

    /// Decodes the document from its tree with ``JSONValueDecoder``: in
    /// document order, and far faster than through YAML nodes.
    static func decode(_ value: JSONValue, legacy: Bool) throws -> OpenAPIKit.OpenAPI.Document {
        if legacy {
            let decoder = JSONValueDecoder(userInfo: [OpenAPIKit30.VendorExtensionsConfiguration.enabledKey: false])
            return try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: value).convert(to: .v3_1_1)
        }
        let decoder = JSONValueDecoder(userInfo: [OpenAPIKit.VendorExtensionsConfiguration.enabledKey: false])
        return try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: value)
    }

    private static func looksLikeJSON(_ text: String) -> Bool {
        text.utf8.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } == UInt8(ascii: "{")
    }

    private static func parseJSON(_ text: String) throws(ImportError) -> JSONValue {
        do {
            return try JSONParser.parse(text, maximumDepth: 512)
        } catch {
            throw ImportError.invalidJSON(error.description)
        }
    }

    /// A file as YAML nodes, for ``ExternalReferences``: JSON is read as
    /// JSON (YAML's reading of JSON escapes such as surrogate pairs is not
    /// JSON's), anything else as YAML.
    static func compose(_ text: String) throws(ImportError) -> Yams.Node {
        looksLikeJSON(text) ? NodeJSON.node(from: try parseJSON(text)) : try composeYAML(text)
    }

    private static func composeYAML(_ text: String) throws(ImportError) -> Yams.Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ImportError.notAMapping }
            return node
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError.invalidYAML(Self.describe(error))
        }
    }

    /// `line 2, column 1: did not find expected ',' or ']' (while parsing a
    /// flow sequence)`: where and what, without Yams' echo of the line.
    private static func describe(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
            .composer(let context, let problem, let mark, _)?:
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return "line \(mark.line), column \(mark.column): \(detail)"
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            return "line \(context.mark.line), column \(context.mark.column): duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            let text = "\(error)".trimmingCharacters(in: .whitespacesAndNewlines)
            return text.split(separator: "\n").first.map(String.init) ?? text
        }
    }

    private static func describeDecoding(_ error: any Error) -> String {
        let readable = OpenAPIKit.OpenAPI.Error(from: error)
        let path = readable.codingPathString
        return path.isEmpty ? readable.localizedDescription : "\(readable.localizedDescription) (at \(path))"
    }
}

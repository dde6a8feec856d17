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
        var root = try Self.compose(text)
        var external: [String] = []
        if ExternalReferences.hasExternal(root) {
            var references = ExternalReferences(directory: directory)
            let normalized = MappingKeys.normalized(root)
            references.reserveExistingNames(in: normalized)
            root = try references.bundle(normalized)
            let read = references.movedCount + references.placed
            external.append(
                "\(read) part\(read == 1 ? " of another file was" : "s of other files were") read: \(references.movedCount) became components, \(references.placed) put in place")
        }
        guard case .mapping(let mapping) = root else { throw ImportError.notAMapping }
        guard let version = mapping["openapi"]?.scalar?.string else {
            if let swagger = mapping["swagger"]?.scalar?.string { throw ImportError.swagger(swagger) }
            throw ImportError.notOpenAPI
        }
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "3", ["0", "1", "2"].contains(parts[1]), parts[2].allSatisfy(\.isNumber),
            !parts[2].isEmpty
        else { throw ImportError.unsupportedVersion(version) }

        // One tree at a time: each step replaces the last, so a large
        // document is held once, not once per step.
        var repair = DocumentRepair(numericExclusives: parts[1] != "0")
        root = repair.repaired(MappingKeys.normalized(root))
        repairs = external + repair.notes
        let pruned = DocumentPruning.pruned(root, filter: filter)
        root = pruned.root
        operationCount = pruned.operations
        keptOperationCount = pruned.kept
        let cuts: [ReferenceCycleBreaker.Cut]
        (root, cuts) = ReferenceCycleBreaker.breakCycles(in: root)
        let cutDeepReferences: Bool
        (root, cutDeepReferences) = ReferenceDepthLimiter.limit(root, to: SchemaMapper.defaultMaximumDepth)
        do {
            document = try Self.decode(root, legacy: parts[1] == "0")
        } catch {
            throw ImportError.invalidDocument(Self.describeDecoding(error))
        }
        declaredVersion = version
        self.cuts = cuts
        self.cutDeepReferences = cutDeepReferences
    }

    /// Decodes the document from its tree with ``JSONValueDecoder``: in
    /// document order, and far faster than through YAML nodes.
    static func decode(_ node: Yams.Node, legacy: Bool) throws -> OpenAPIKit.OpenAPI.Document {
        let value = NodeJSON.value(node)
        if legacy {
            let decoder = JSONValueDecoder(userInfo: [OpenAPIKit30.VendorExtensionsConfiguration.enabledKey: false])
            return try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: value).convert(to: .v3_1_1)
        }
        let decoder = JSONValueDecoder(userInfo: [OpenAPIKit.VendorExtensionsConfiguration.enabledKey: false])
        return try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: value)
    }

    /// JSON is read as JSON (YAML's reading of JSON escapes such as
    /// surrogate pairs is not JSON's), anything else as YAML.
    static func compose(_ text: String) throws(ImportError) -> Yams.Node {
        let first = text.utf8.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == UInt8(ascii: "{") {
            do {
                return DocumentRepair.node(from: try JSONParser.parse(text, maximumDepth: 512))
            } catch {
                throw ImportError.invalidJSON(error.description)
            }
        }
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

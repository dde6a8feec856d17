import Foundation
import Testing

/// Holds the module map in `docs/development.md` and the code together: each
/// module may import only the project modules its row names, and each row
/// names only modules that are really imported, so the picture a newcomer
/// reads is the one the compiler sees.
@Suite struct ModuleLayerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The rows of the "module map" table: `| `Module` | `A`, `B` | what it is |`.
    static func documentedLayers() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/development.md"), encoding: .utf8)
        guard let start = text.range(of: "<!-- module map -->"), let end = text.range(of: "<!-- end of module map -->") else {
            Issue.record("docs/development.md has no module map between its markers")
            return [:]
        }
        var layers: [String: Set<String>] = [:]
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3 else { continue }
            let module = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let uses = cells[2].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }.filter { !$0.isEmpty && $0 != "—" }
            layers[module] = Set(uses)
        }
        return layers
    }

    /// The project modules each module's sources import.
    static func actualImports() throws -> [String: Set<String>] {
        let sources = root.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }.sorted()
        var imports: [String: Set<String>] = [:]
        for module in modules {
            var found: Set<String> = []
            let folder = sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@") {
                    if let name = importedModule(line), modules.contains(name), name != module { found.insert(name) }
                }
            }
            imports[module] = found
        }
        return imports
    }

    /// `import A`, `@testable import A`, `@_exported import struct A.B` → `A`.
    static func importedModule(_ line: Substring) -> String? {
        let words = line.split(separator: " ")
        guard var index = words.firstIndex(of: "import") else { return nil }
        index += 1
        if index < words.count, ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"].contains(words[index]) { index += 1 }
        guard index < words.count else { return nil }
        return String(words[index].split(separator: ".").first ?? "")
    }

    @Test func theModuleMapMatchesTheImports() throws {
        let documented = try Self.documentedLayers()
        let actual = try Self.actualImports()
        #expect(Set(documented.keys) == Set(actual.keys), "every module under Sources/ has one row in the module map")
        for (module, imports) in actual.sorted(by: { $0.key < $1.key }) {
            let allowed = documented[module] ?? []
            #expect(imports.subtracting(allowed).isEmpty, "\(module) imports \(imports.subtracting(allowed).sorted()) but the module map does not say so")
            #expect(allowed.subtracting(imports).isEmpty, "the module map says \(module) uses \(allowed.subtracting(imports).sorted()), which it does not import")
        }
    }

    /// The layer picture: one line per layer, top first, its modules after
    /// the layer's name (which is separated from them by two spaces or more).
    static func documentedLayerOrder() throws -> [String: Int] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/development.md"), encoding: .utf8)
        guard let start = text.range(of: "<!-- layers -->"), let end = text.range(of: "<!-- end of layers -->") else {
            Issue.record("docs/development.md has no layer picture between its markers")
            return [:]
        }
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n").filter { !$0.hasPrefix("```") && !$0.isEmpty }
        var order: [String: Int] = [:]
        for (depth, line) in lines.reversed().enumerated() {
            // The layer's own name is the first run of text; the modules follow.
            let columns = line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            for module in columns.dropFirst() where !module.isEmpty { order[module] = depth }
        }
        return order
    }

    /// No module reaches sideways or up: every import goes to a lower layer.
    @Test func importsGoDownTheLayers() throws {
        let layers = try Self.documentedLayerOrder()
        let actual = try Self.actualImports()
        #expect(Set(layers.keys) == Set(actual.keys), "every module under Sources/ stands in one layer")
        for (module, imports) in actual {
            guard let own = layers[module] else { continue }
            for used in imports {
                #expect((layers[used] ?? .max) < own, "\(module) imports \(used), which is not in a lower layer")
            }
        }
    }

    /// The security modules decide who may call; they must not depend on
    /// the connector format, so a change to the format cannot weaken them.
    @Test func noSecurityModuleDependsOnTheConnectorFormat() throws {
        let actual = try Self.actualImports()
        for module in ["OAuth", "AuthorizationServer"] {
            #expect(actual[module]?.contains("ConnectorModel") == false, "\(module) imports ConnectorModel")
        }
    }
}

import Foundation
import Yams

/// Documents split over several files (DigitalOcean's) refer to the others
/// with relative `$ref`s. They are read from disk relative to the file that
/// refers to them, so the rest of the import sees one document. Nothing is
/// fetched over the network.
///
/// A part of another file that can be shared — a schema, parameter,
/// response, request body or header — is read once and moved into the
/// document's `components` under a name of its own, and every reference to
/// it becomes an ordinary `#/components/…` reference. Copying it in place
/// at every use instead multiplies: in a document of a few megabytes where
/// schemas refer to schemas that refer to schemas, the copies run to tens
/// of gigabytes. Moved once, references among files may also form cycles,
/// which the rest of the import already cuts. Path items and operations,
/// used once each, are put in place.
struct ExternalReferences {
    /// The folder of the document being imported, when it came from a file.
    let directory: String?
    private var files: [String: Yams.Node] = [:]
    /// The component each part of another file became, by file and pointer.
    private var moved: [Target: (section: String, name: String)] = [:]
    /// The new components, per section, in the order they were first met.
    private var sections: [String: [(name: String, node: Yams.Node)]] = [:]
    private var takenNames: [String: Set<String>] = [:]
    private(set) var placed = 0
    /// How many files one import may read.
    static let maximumFiles = 5_000
    /// How deep parts put in place may chain: only a loop among path items
    /// or operations (which are not moved) could reach it.
    static let maximumDepth = 64

    private struct Target: Hashable {
        var file: String
        var pointer: String
    }

    init(directory: String?) {
        self.directory = directory
    }

    /// How many parts of other files became components.
    var movedCount: Int { moved.count }

    /// Whether the document refers to other files at all.
    static func hasExternal(_ node: Yams.Node) -> Bool {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if key.scalar?.string == "$ref", let target = value.scalar?.string, !target.hasPrefix("#") { return true }
                if hasExternal(value) { return true }
            }
            return false
        case .sequence(let sequence): return sequence.contains { hasExternal($0) }
        case .scalar, .alias: return false
        }
    }

    /// The document with every reference to another file resolved.
    mutating func bundle(_ root: Yams.Node) throws(ImportError) -> Yams.Node {
        let walked = try walk(root, as: .document, file: nil, depth: 0)
        guard case .mapping(let mapping) = walked, !sections.isEmpty else { return walked }
        var pairs = Array(mapping.map { ($0.key, $0.value) })
        var components: [(Yams.Node, Yams.Node)] = []
        if let index = pairs.firstIndex(where: { $0.0.scalar?.string == "components" }) {
            if case .mapping(let existing) = pairs[index].1 { components = existing.map { ($0.key, $0.value) } }
            pairs.remove(at: index)
        }
        for (section, added) in sections.sorted(by: { $0.key < $1.key }) {
            var entries: [(Yams.Node, Yams.Node)] = []
            if let index = components.firstIndex(where: { $0.0.scalar?.string == section }) {
                if case .mapping(let existing) = components[index].1 { entries = existing.map { ($0.key, $0.value) } }
                components.remove(at: index)
            }
            entries.append(contentsOf: added.map { (Yams.Node($0.name), $0.node) })
            components.append((Yams.Node(section), Yams.Node(entries)))
        }
        pairs.append((Yams.Node("components"), Yams.Node(components)))
        return Yams.Node(pairs, mapping.tag, mapping.style)
    }

    // MARK: - Walking with what each node is

    /// What a node is, as far as references are concerned: it says which
    /// component section a reference in its place names, and how to read
    /// its children.
    private indirect enum Role {
        case document, components, pathItem, operation, parameter, header, body, response, mediaType, schema
        case mapOf(Role), listOf(Role)
        /// Anything else: references in it are put in place.
        case other
        /// Examples and vendor extensions: data, or nothing the import
        /// reads; references to other files in them become `{}`.
        case ignored
        /// Values (`default`, `enum`, …): never references.
        case literal

        var section: String? {
            switch self {
            case .schema: "schemas"
            case .parameter: "parameters"
            case .header: "headers"
            case .body: "requestBodies"
            case .response: "responses"
            default: nil
            }
        }

        func child(_ key: String) -> Role {
            if key.hasPrefix("x-") { return .ignored }
            switch self {
            case .document:
                switch key {
                case "paths", "webhooks": return .mapOf(.pathItem)
                case "components": return .components
                default: return .other
                }
            case .components:
                switch key {
                case "schemas": return .mapOf(.schema)
                case "parameters": return .mapOf(.parameter)
                case "headers": return .mapOf(.header)
                case "requestBodies": return .mapOf(.body)
                case "responses": return .mapOf(.response)
                case "pathItems": return .mapOf(.pathItem)
                case "examples": return .ignored
                default: return .other
                }
            case .pathItem:
                switch key {
                case "get", "put", "post", "delete", "options", "head", "patch", "trace", "query": return .operation
                case "parameters": return .listOf(.parameter)
                default: return .other
                }
            case .operation:
                switch key {
                case "parameters": return .listOf(.parameter)
                case "requestBody": return .body
                case "responses": return .mapOf(.response)
                case "callbacks": return .mapOf(.mapOf(.pathItem))
                default: return .other
                }
            case .parameter, .header:
                switch key {
                case "schema": return .schema
                case "content": return .mapOf(.mediaType)
                case "example", "examples": return .ignored
                default: return .other
                }
            case .body, .response:
                switch key {
                case "content": return .mapOf(.mediaType)
                case "headers": return .mapOf(.header)
                default: return .other
                }
            case .mediaType:
                switch key {
                case "schema", "itemSchema": return .schema
                case "example", "examples": return .ignored
                default: return .other
                }
            case .schema:
                switch key {
                case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas": return .mapOf(.schema)
                case "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                    "additionalItems", "unevaluatedProperties", "unevaluatedItems", "contentSchema":
                    return .schema
                case "allOf", "anyOf", "oneOf", "prefixItems": return .listOf(.schema)
                case "default", "enum", "const", "example", "examples": return .literal
                default: return .other
                }
            case .mapOf(let role), .listOf(let role): return role
            case .other: return .other
            case .ignored: return .ignored
            case .literal: return .literal
            }
        }
    }

    /// `file` is the file `node` belongs to (nil: the main one, whose own
    /// `#/…` references stay as they are).
    private mutating func walk(_ node: Yams.Node, as role: Role, file: String?, depth: Int) throws(ImportError) -> Yams.Node {
        if case .literal = role { return node }
        switch node {
        case .mapping(let mapping):
            // In a map of named things (`properties`), a `$ref` naming a
            // string is the whole map kept elsewhere; a thing named `$ref`
            // would be a mapping.
            if let target = mapping.first(where: { $0.key.scalar?.string == "$ref" })?.value.scalar?.string,
                !target.hasPrefix("#") || file != nil
            {
                return try resolve(target, as: role, from: file, depth: depth)
            }
            var pairs: [(Yams.Node, Yams.Node)] = []
            pairs.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let childRole = role.child(key.scalar?.string ?? "")
                pairs.append((key, try walk(value, as: childRole, file: file, depth: depth)))
            }
            return Yams.Node(pairs, mapping.tag, mapping.style)
        case .sequence(let sequence):
            let itemRole: Role
            if case .listOf(let inner) = role { itemRole = inner } else { itemRole = role.child("") }
            var items: [Yams.Node] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try walk(item, as: itemRole, file: file, depth: depth)) }
            return Yams.Node(items, sequence.tag, sequence.style)
        case .scalar, .alias:
            return node
        }
    }

    private mutating func resolve(_ reference: String, as role: Role, from file: String?, depth: Int) throws(ImportError) -> Yams.Node {
        if case .ignored = role { return Yams.Node([(Yams.Node, Yams.Node)]()) }
        let target = try locate(reference, from: file)
        if let section = role.section {
            if let known = moved[target] { return Self.reference(known.section, known.name) }
            let name = uniqueName(for: target, in: section)
            moved[target] = (section, name)
            let found = try Self.node(at: target.pointer, in: try load(target.file, named: reference), target: reference)
            let walked = try walk(found, as: role, file: target.file, depth: depth)
            sections[section, default: []].append((name, walked))
            return Self.reference(section, name)
        }
        guard depth < Self.maximumDepth else {
            throw ImportError("references among files nest more than \(Self.maximumDepth) deep at '\(reference)'")
        }
        placed += 1
        let found = try Self.node(at: target.pointer, in: try load(target.file, named: reference), target: reference)
        return try walk(found, as: role, file: target.file, depth: depth + 1)
    }

    private static func reference(_ section: String, _ name: String) -> Yams.Node {
        Yams.Node([(Yams.Node("$ref"), Yams.Node("#/components/\(section)/\(name)"))])
    }

    /// The file and pointer a reference names; a `#/…` reference inside
    /// another file means that file.
    private func locate(_ reference: String, from file: String?) throws(ImportError) -> Target {
        let hash = reference.firstIndex(of: "#")
        let path = String(reference[..<(hash ?? reference.endIndex)])
        let pointer = hash.map { String(reference[reference.index(after: $0)...]) } ?? ""
        if path.contains("://") {
            throw ImportError("the document refers to '\(reference)' on the network; bundle it into one file first (for example with `redocly bundle`)")
        }
        if path.isEmpty, let file { return Target(file: file, pointer: pointer) }
        guard let base = file.map({ ($0 as NSString).deletingLastPathComponent }) ?? directory else {
            throw ImportError(
                "the document refers to the file '\(path)'; import it from its file so the reference can be read, or bundle it into one file first")
        }
        let full = ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
        return Target(file: full, pointer: pointer)
    }

    /// A readable component name: the pointer's last part, or the file's
    /// name without its extension, made unique within the section.
    private mutating func uniqueName(for target: Target, in section: String) -> String {
        let last = target.pointer.split(separator: "/").last.map(String.init)
            ?? ((target.file as NSString).lastPathComponent as NSString).deletingPathExtension
        var base = String(last.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        if base.isEmpty { base = "part" }
        var name = base
        var number = 2
        while takenNames[section, default: []].contains(name) {
            name = "\(base)_\(number)"
            number += 1
        }
        takenNames[section, default: []].insert(name)
        return name
    }

    /// Names already used by the main document's own components.
    mutating func reserveExistingNames(in root: Yams.Node) {
        guard case .mapping(let mapping) = root, case .mapping(let components)? = mapping["components"] else { return }
        for (key, value) in components {
            guard let section = key.scalar?.string, case .mapping(let entries) = value else { continue }
            for (name, _) in entries { if let name = name.scalar?.string { takenNames[section, default: []].insert(name) } }
        }
    }

    private mutating func load(_ file: String, named path: String) throws(ImportError) -> Yams.Node {
        if let cached = files[file] { return cached }
        guard files.count < Self.maximumFiles else { throw ImportError("the document refers to more than \(Self.maximumFiles) files") }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ImportError("the document refers to '\(path)', which cannot be read at \(file)")
        }
        let node: Yams.Node
        do { node = try SourceDocument.compose(text) } catch {
            throw ImportError("'\(path)': \(error.message)")
        }
        let normalized = MappingKeys.normalized(node)
        files[file] = normalized
        return normalized
    }

    /// The node a JSON pointer (`/components/schemas/Pet`) names.
    static func node(at pointer: String, in root: Yams.Node, target: String) throws(ImportError) -> Yams.Node {
        var current = root
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let token = (String(raw).removingPercentEncoding ?? String(raw)).replacingOccurrences(of: "~1", with: "/")
                .replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .mapping(let mapping):
                guard let next = mapping.first(where: { $0.key.scalar?.string == token })?.value else {
                    throw ImportError("the reference '\(target)' names nothing: there is no '\(token)'")
                }
                current = next
            case .sequence(let sequence):
                guard let index = Int(token), sequence.indices.contains(index) else {
                    throw ImportError("the reference '\(target)' names nothing: there is no item \(token)")
                }
                current = sequence[index]
            default:
                throw ImportError("the reference '\(target)' names nothing")
            }
        }
        return current
    }
}

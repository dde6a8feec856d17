import Foundation
import Yams

/// Documents split over several files (DigitalOcean's) refer to the others
/// with relative `$ref`s. They are read from disk relative to the file that
/// refers to them and put in place, so the rest of the import sees one
/// document. Nothing is fetched over the network.
struct ExternalReferences {
    /// The folder of the document being imported, when it came from a file.
    let directory: String?
    private var files: [String: Yams.Node] = [:]
    private(set) var inlined = 0
    private(set) var cut = 0
    /// How deep references to other files may chain before one is cut to a
    /// plain object: a loop among files would otherwise never end.
    static let maximumDepth = 24
    /// How many files one import may read.
    static let maximumFiles = 5_000

    init(directory: String?) {
        self.directory = directory
    }

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

    /// The document with every reference to another file replaced by what
    /// it names. `file` is the file `node` belongs to (nil: the main one,
    /// whose own `#/…` references stay as they are).
    mutating func inline(_ node: Yams.Node, file: String?, root: Yams.Node, depth: Int = 0) throws(ImportError) -> Yams.Node {
        switch node {
        case .mapping(let mapping):
            if let target = mapping.first(where: { $0.key.scalar?.string == "$ref" })?.value.scalar?.string,
                !target.hasPrefix("#") || file != nil
            {
                return try resolve(target, from: file, root: root, depth: depth)
            }
            var pairs: [(Yams.Node, Yams.Node)] = []
            pairs.reserveCapacity(mapping.count)
            for (key, value) in mapping { pairs.append((key, try inline(value, file: file, root: root, depth: depth))) }
            return Yams.Node(pairs, mapping.tag, mapping.style)
        case .sequence(let sequence):
            var items: [Yams.Node] = []
            for item in sequence { items.append(try inline(item, file: file, root: root, depth: depth)) }
            return Yams.Node(items, sequence.tag, sequence.style)
        case .scalar, .alias:
            return node
        }
    }

    private mutating func resolve(_ target: String, from file: String?, root: Yams.Node, depth: Int) throws(ImportError) -> Yams.Node {
        guard depth < Self.maximumDepth else {
            cut += 1
            return Yams.Node([(Yams.Node("type"), Yams.Node("object"))])
        }
        let hash = target.firstIndex(of: "#")
        let path = String(target[..<(hash ?? target.endIndex)])
        let pointer = hash.map { String(target[target.index(after: $0)...]) } ?? ""
        if path.contains("://") {
            throw ImportError("the document refers to '\(target)' on the network; bundle it into one file first (for example with `redocly bundle`)")
        }
        // A `#/…` reference inside another file means that file.
        let referring = file
        let targetFile: String
        let targetRoot: Yams.Node
        if path.isEmpty, let referring {
            targetFile = referring
            targetRoot = root
        } else {
            guard let base = referring.map({ ($0 as NSString).deletingLastPathComponent }) ?? directory else {
                throw ImportError(
                    "the document refers to the file '\(path)'; import it from its file so the reference can be read, or bundle it into one file first")
            }
            targetFile = ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
            targetRoot = try load(targetFile, named: path)
        }
        inlined += 1
        let found = try Self.node(at: pointer, in: targetRoot, target: target)
        return try inline(found, file: targetFile, root: targetRoot, depth: depth + 1)
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

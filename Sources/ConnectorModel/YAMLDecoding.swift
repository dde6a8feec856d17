import GatehouseJSON
import Yams

/// Reads Yams nodes with every problem recorded against its line and column,
/// so one pass reports all the errors of a file instead of the first.
struct YAMLDecoding {
    let file: String
    var diagnostics: [Diagnostic] = []
    /// How many more value nodes may be read. Aliases let a small file name
    /// an exponential number of nodes ("billion laughs"); the budget turns
    /// that into an error instead of a hang.
    var nodeBudget = 100_000
    private var reportedBudget = false

    init(file: String) {
        self.file = file
    }

    func location(_ node: Yams.Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func error(_ node: Yams.Node, _ message: String) {
        diagnostics.append(location(node).diagnostic(message))
    }

    struct Entry {
        var key: String
        var keyNode: Yams.Node
        var value: Yams.Node
    }

    /// The entries of a mapping, checked against the keys `what` may have.
    mutating func mapping(_ node: Yams.Node, _ what: String, allowed: [String]? = nil) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping, got \(kind(of: node))")
            return nil
        }
        var entries: [Entry] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys of \(what) must be plain strings")
                continue
            }
            let key = scalar.string
            guard seen.insert(key).inserted else {
                error(keyNode, "duplicate key \(Diagnostic.quoted(key)) in \(what)")
                continue
            }
            if let allowed, !allowed.contains(key) {
                var message = "unknown key \(Diagnostic.quoted(key)) in \(what)"
                if let suggestion = Self.closest(to: key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
                error(keyNode, message)
                continue
            }
            entries.append(Entry(key: key, keyNode: keyNode, value: value))
        }
        return entries
    }

    mutating func sequence(_ node: Yams.Node, _ what: String) -> [Yams.Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "\(what) must be a list, got \(kind(of: node))")
            return nil
        }
        return Array(sequence)
    }

    /// A string; numbers are accepted as their text because YAML readers
    /// cannot tell `version: 2` from `version: "2"` at a glance.
    mutating func string(_ node: Yams.Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a string, got \(kind(of: node))")
            return nil
        }
        switch node.tagName {
        case .str, .int, .float: return scalar.string
        default:
            if scalar.style != .plain { return scalar.string }
            error(node, "\(what) must be a string, got \(kind(of: node))")
            return nil
        }
    }

    mutating func bool(_ node: Yams.Node, _ what: String) -> Bool? {
        guard case .scalar = node, node.tagName == .bool, let value = node.bool else {
            error(node, "\(what) must be true or false, got \(kind(of: node))")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Yams.Node, _ what: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .scalar = node, node.tagName == .int, let value = node.int else {
            error(node, "\(what) must be an integer, got \(kind(of: node))")
            return nil
        }
        if let range, !range.contains(value) {
            error(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func number(_ node: Yams.Node, _ what: String) -> JSONValue? {
        guard case .scalar = node else {
            error(node, "\(what) must be a number, got \(kind(of: node))")
            return nil
        }
        switch node.tagName {
        case .int: if let i = node.int { return .int(Int64(i)) }
        case .float:
            if let d = node.float, d.isFinite { return .double(d) }
            error(node, "\(what) must be a finite number")
            return nil
        default: break
        }
        error(node, "\(what) must be a number, got \(kind(of: node))")
        return nil
    }

    /// `10s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
    mutating func duration(_ node: Yams.Node, _ what: String) -> Duration? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a duration such as 10s or 500ms")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var seconds: Double?
        if let plain = Double(text) {
            seconds = plain
        } else {
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                if let value = Double(text.dropLast(suffix.count)) { seconds = value * factor }
                break
            }
        }
        guard let seconds, seconds.isFinite, case let milliseconds = Int64((min(seconds, 1e7) * 1000).rounded()),
            (1...3_600_000).contains(milliseconds)
        else {
            error(node, "\(what) must be a duration between 1ms and 1h such as 10s or 500ms, got '\(text)'")
            return nil
        }
        return .milliseconds(milliseconds)
    }

    /// `20000`, `100KB`, `1MiB`, `10MB`.
    mutating func byteSize(_ node: Yams.Node, _ what: String) -> Int? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a size such as 100000 or 1MB")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000),
            ("B", 1),
        ]
        var bytes: Int?
        if let plain = Int(text) {
            bytes = plain
        } else {
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                if let value = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) {
                    bytes = value.multipliedReportingOverflow(by: factor).overflow ? nil : value * factor
                }
                break
            }
        }
        guard let bytes, bytes > 0, bytes <= 1 << 30 else {
            error(node, "\(what) must be a size between 1 byte and 1GiB such as 100000 or 1MB, got '\(text)'")
            return nil
        }
        return bytes
    }

    /// Any YAML value as JSON.
    /// Spends one unit of the node budget; false once it is exhausted.
    mutating func spend(_ node: Yams.Node) -> Bool {
        nodeBudget -= 1
        guard nodeBudget >= 0 else {
            if !reportedBudget {
                reportedBudget = true
                error(node, "the file names too many values (over 100000, possibly through YAML aliases)")
            }
            return false
        }
        return true
    }

    mutating func json(_ node: Yams.Node, _ what: String, depth: Int = 0) -> JSONValue? {
        guard spend(node) else { return nil }
        guard depth < 64 else {
            error(node, "\(what) is nested too deeply")
            return nil
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            switch node.tagName {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float:
                guard let d = node.float, d.isFinite else {
                    error(node, "\(what): numbers must be finite")
                    return nil
                }
                return .double(d)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var array: [JSONValue] = []
            for element in sequence {
                guard let value = json(element, what, depth: depth + 1) else { return nil }
                array.append(value)
            }
            return .array(array)
        case .mapping:
            guard let entries = mapping(node, what) else { return nil }
            var object = JSONObject()
            for entry in entries {
                guard let value = json(entry.value, what, depth: depth + 1) else { return nil }
                object[entry.key] = value
            }
            return .object(object)
        case .alias:
            error(node, "YAML aliases are not supported in \(what)")
            return nil
        }
    }

    func kind(of node: Yams.Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if scalar.style != .plain { return "a string" }
            switch node.tagName {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            default: return "a string"
            }
        }
    }

    /// The allowed key nearest to a misspelt one, if any is close.
    static func closest(to key: String, in candidates: [String]) -> String? {
        let best = candidates.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

import Foundation

extension Yams.Node {
    /// The resolved tag (`int`, `bool`, `str` …) of the node.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}

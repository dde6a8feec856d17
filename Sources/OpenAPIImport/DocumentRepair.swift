import GatehouseJSON
import Yams

/// Reads a document tolerantly: what real documents get wrong in places the
/// import may never use should not stop the import. Each repair is counted
/// and reported as a note.
///
/// - Integers beyond 64 bits (`maximum: 9223372036854776000`, a JavaScript
///   rounding of 2^63) are clamped to the 64-bit range.
/// - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` inside a
///   3.1 document becomes 3.1's numeric form.
struct DocumentRepair {
    var clampedIntegers = 0
    var booleanExclusives = 0
    /// Whether the document is 3.1 or later, where bounds are numbers.
    let numericExclusives: Bool

    init(numericExclusives: Bool) {
        self.numericExclusives = numericExclusives
    }

    var notes: [String] {
        var notes: [String] = []
        if clampedIntegers > 0 {
            notes.append("\(clampedIntegers) integer\(clampedIntegers == 1 ? "" : "s") beyond 64 bits were clamped to the 64-bit range")
        }
        if booleanExclusives > 0 {
            notes.append(
                "\(booleanExclusives) OpenAPI 3.0-style boolean exclusiveMinimum/exclusiveMaximum became the 3.1 numeric form")
        }
        return notes
    }

    mutating func repaired(_ node: Yams.Node) -> Yams.Node {
        switch node {
        case .mapping(let mapping):
            var pairs: [(Yams.Node, Yams.Node)] = []
            pairs.reserveCapacity(mapping.count)
            for (key, value) in mapping { pairs.append((key, repaired(value))) }
            if numericExclusives { pairs = exclusivesMadeNumeric(pairs) }
            return Yams.Node(pairs, mapping.tag, mapping.style)
        case .sequence(let sequence):
            var items: [Yams.Node] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(repaired(item)) }
            return Yams.Node(items, sequence.tag, sequence.style)
        case .scalar(let scalar):
            guard scalar.style == .plain, let clamped = Self.clamped(scalar.string) else { return node }
            clampedIntegers += 1
            return Yams.Node(clamped, Tag(.int), .plain)
        case .alias:
            return node
        }
    }

    /// `minimum: 0, exclusiveMinimum: true` → `exclusiveMinimum: 0`;
    /// `exclusiveMinimum: false` goes.
    mutating func exclusivesMadeNumeric(_ pairs: [(Yams.Node, Yams.Node)]) -> [(Yams.Node, Yams.Node)] {
        var pairs = pairs
        for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            guard let index = pairs.firstIndex(where: { $0.0.scalar?.string == exclusive }),
                let flag = pairs[index].1.scalar?.string.lowercased(), flag == "true" || flag == "false"
            else { continue }
            booleanExclusives += 1
            let boundIndex = pairs.firstIndex { $0.0.scalar?.string == bound }
            if flag == "true", let boundIndex {
                pairs[index].1 = pairs[boundIndex].1
                pairs.remove(at: boundIndex)
            } else {
                pairs.remove(at: index)
            }
        }
        return pairs
    }

    /// The 64-bit bound for an integer literal outside the range, or nil.
    static func clamped(_ text: String) -> String? {
        let digits = text.utf8.first == UInt8(ascii: "-") || text.utf8.first == UInt8(ascii: "+") ? text.utf8.dropFirst() : text.utf8[...]
        guard digits.count >= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), Int64(text) == nil else { return nil }
        return text.hasPrefix("-") ? String(Int64.min) : String(Int64.max)
    }

    /// A JSON document as the YAML nodes the rest of the import reads:
    /// strings stay strings whatever they look like, numbers stay numbers.
    static func node(from value: JSONValue) -> Yams.Node {
        switch value {
        case .null: Yams.Node("null", Tag(.null), .plain)
        case .bool(let flag): Yams.Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .int(let number): Yams.Node(String(number), Tag(.int), .plain)
        case .double(let number):
            // Integral values too large for Int64 stay integer literals, so
            // the clamp above sees them.
            number.rounded() == number && abs(number) < 1e21 && abs(number) >= 9.2e18
                ? Yams.Node(String(format: "%.0f", number), Tag(.int), .plain)
                : Yams.Node("\(number)", Tag(.float), .plain)
        case .string(let text): Yams.Node(text, Tag(.str), .doubleQuoted)
        case .array(let items): Yams.Node(items.map(node(from:)), Tag(.seq), .block)
        case .object(let object): Yams.Node(object.map { (Yams.Node($0.key, Tag(.str), .doubleQuoted), node(from: $0.value)) }, Tag(.map), .block)
        }
    }
}

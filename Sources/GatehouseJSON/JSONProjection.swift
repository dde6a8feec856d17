/// Reads only the part of a JSON document a tool keeps: the value at a
/// path, and of the objects there (or the objects of the array there) only
/// the named members.
///
/// A tool that shapes a long answer (`select: items`, `fields: [id]`) keeps
/// a small part of it; parsing the whole answer into values to throw most
/// of them away costs an allocation per object, array and string. This
/// walks the document once: what lies off the path or outside the kept
/// members is checked with the parser's rules and skipped without building
/// anything (``Compactor`` with its output discarded), and only what is
/// kept is parsed (``Parser``), from where the walk stands.
///
/// The document is refused (nil) when any of it is not JSON, as
/// ``JSONParser`` refuses it, with one difference: a name repeated inside
/// an object the walk skips is not looked for. A repeated name the walk
/// reads (the path's next step, a kept member, anything inside a kept
/// value) is refused as the parser refuses it.
public enum JSONProjection {
    /// The value at `path` (numeric steps index arrays; `null` when the
    /// path leads nowhere, as a tool's `select` does), with its objects cut
    /// to the members named in `keeping`, in that order, when it is given:
    /// the value's own object, or the objects of its array and of the
    /// arrays within, as a tool's `fields` keeps them. Nil when the bytes
    /// are not JSON.
    public static func value(
        in bytes: [UInt8],
        at path: [String],
        keeping members: [String]?,
        maximumDepth: Int = JSONParser.defaultMaximumDepth
    ) -> JSONValue? {
        bytes.withUnsafeBufferPointer { input in
            var walk = Walk(parser: Parser(bytes: input, maximumDepth: maximumDepth), members: members)
            return walk.document(path: path[...])
        }
    }
}

private struct Walk {
    var parser: Parser
    let members: [String]?
    /// Whether a skipped string held a byte outside ASCII: the input is
    /// then checked to be UTF-8 once at the end, as the compaction does.
    var sawNonASCII = false

    var input: UnsafeBufferPointer<UInt8> { parser.bytes }

    mutating func document(path: ArraySlice<String>) -> JSONValue? {
        parser.skipWhitespace()
        guard let value = node(path: path) else { return nil }
        parser.skipWhitespace()
        guard parser.index == input.count else { return nil }
        if sawNonASCII, String(validating: input, as: UTF8.self) == nil { return nil }
        return value
    }

    /// The value at the rest of the path, below the one at the index.
    mutating func node(path: ArraySlice<String>) -> JSONValue? {
        guard let step = path.first else { return kept() }
        guard parser.index < input.count else { return nil }
        switch input[parser.index] {
        case UInt8(ascii: "{"):
            var found: JSONValue?
            let complete = members(of: UInt8(ascii: "}"), keyed: true) { walk, key in
                guard key == step else { return walk.skip() }
                guard found == nil, let value = walk.node(path: path.dropFirst()) else { return false }
                found = value
                return true
            }
            guard complete else { return nil }
            return found ?? .null
        case UInt8(ascii: "["):
            let wanted = Int(step) ?? -1
            var position = 0
            var found: JSONValue?
            let complete = members(of: UInt8(ascii: "]"), keyed: false) { walk, _ in
                defer { position += 1 }
                guard position == wanted else { return walk.skip() }
                found = walk.node(path: path.dropFirst())
                return found != nil
            }
            guard complete else { return nil }
            return found ?? .null
        default:
            guard skip() else { return nil }
            return .null
        }
    }

    /// The value the path ends at, with objects cut to the kept members,
    /// in arrays at any depth.
    mutating func kept() -> JSONValue? {
        guard let members, parser.index < input.count else { return parse() }
        switch input[parser.index] {
        case UInt8(ascii: "{"): return object(keeping: members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            let complete = self.members(of: UInt8(ascii: "]"), keyed: false) { walk, _ in
                guard let item = walk.kept() else { return false }
                items.append(item)
                return true
            }
            guard complete else { return nil }
            return .array(items)
        default: return parse()
        }
    }

    /// An object's kept members, in the order they are named (a few names:
    /// comparing them beats hashing each key).
    mutating func object(keeping members: [String]) -> JSONValue? {
        var object = JSONObject()
        let complete = self.members(of: UInt8(ascii: "}"), keyed: true) { walk, key in
            guard members.contains(key) else { return walk.skip() }
            guard let value = walk.parse(), object.updateValue(value, forKey: key) == nil else { return false }
            return true
        }
        guard complete else { return nil }
        if object.count > 1 {
            let rank = { (key: String) in members.firstIndex(of: key) ?? members.count }
            if !zip(object.keys, object.keys.dropFirst()).allSatisfy({ rank($0) < rank($1) }) {
                object.sort { rank($0.key) < rank($1.key) }
            }
        }
        return .object(object)
    }

    /// Walks an object's or an array's members, the index on the opening
    /// bracket; `each` reads one member's value (given its name, in an
    /// object) and leaves the index after it. False when the bytes are not
    /// JSON or `each` refused.
    mutating func members(of close: UInt8, keyed: Bool, _ each: (inout Walk, String) -> Bool) -> Bool {
        parser.depth += 1
        guard parser.depth <= parser.maximumDepth else { return false }
        defer { parser.depth -= 1 }
        parser.index += 1
        parser.skipWhitespace()
        if parser.index < input.count, input[parser.index] == close {
            parser.index += 1
            return true
        }
        while true {
            var key = ""
            if keyed {
                guard parser.index < input.count, input[parser.index] == UInt8(ascii: "\""),
                    let name = try? parser.parseString()
                else { return false }
                key = name
                parser.skipWhitespace()
                guard parser.index < input.count, input[parser.index] == UInt8(ascii: ":") else { return false }
                parser.index += 1
                parser.skipWhitespace()
            }
            guard each(&self, key) else { return false }
            parser.skipWhitespace()
            guard parser.index < input.count else { return false }
            if input[parser.index] == close {
                parser.index += 1
                return true
            }
            guard input[parser.index] == UInt8(ascii: ",") else { return false }
            parser.index += 1
            parser.skipWhitespace()
        }
    }

    /// Parses the value at the index.
    mutating func parse() -> JSONValue? {
        try? parser.parseValue()
    }

    /// Checks the value at the index and moves past it, building nothing.
    mutating func skip() -> Bool {
        var checker = Compactor(
            input: input, output: DiscardedOutput(), maximumDepth: parser.maximumDepth, index: parser.index, depth: parser.depth)
        guard checker.value() else { return false }
        parser.index = checker.index
        if checker.sawNonASCII { sawNonASCII = true }
        return true
    }
}

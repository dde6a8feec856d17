import Foundation
import GatehouseJSON

/// Turns a schema document into a ``SchemaProgram``, resolving local `$ref`s to node indices.
struct Compiler {
    let root: JSONValue
    var specs: [SchemaSpec?] = []
    /// Canonical JSON pointer of a schema location → its node index.
    var byPointer: [String: Int] = [:]
    /// `$ref` targets reserved but not compiled yet.
    var pending: [(index: Int, pointer: String, value: JSONValue)] = []
    var rootID: String?
    /// Refuse keywords that restrict values but that this engine would ignore.
    let strict: Bool
    var anchors: SchemaAnchors?

    init(root: JSONValue, strict: Bool = false) {
        self.root = root
        self.strict = strict
        if let id = root["$id"]?.stringValue {
            rootID = id.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        }
    }

    mutating func run() throws(JSONSchema.CompileError) -> SchemaProgram {
        anchors = try SchemaAnchors(root: root)
        let rootIndex = try compile(root, at: "", depth: 0)
        // Compile `$ref` targets the eager walk did not reach (for example
        // schemas under unknown keywords); each starts a fresh, shallow recursion.
        while let next = pending.popLast() {
            if specs[next.index] == nil {
                specs[next.index] = try build(next.value, at: next.pointer, depth: 0)
            }
        }
        let compiled = specs.map { $0! }
        // Point pure `$ref` nodes straight at their final target.
        var target = [Int](repeating: -1, count: compiled.count)
        for start in compiled.indices where target[start] < 0 {
            var chain: [Int] = []
            var current = start
            var onChain = Set<Int>()
            while target[current] < 0, compiled[current].isPureRef {
                guard onChain.insert(current).inserted else {
                    throw JSONSchema.CompileError(path: pointer(of: current), message: "$ref refers to itself in a cycle")
                }
                chain.append(current)
                current = compiled[current].ref!
            }
            let final = target[current] >= 0 ? target[current] : current
            target[current] = final
            for index in chain { target[index] = final }
        }
        let objects = compiled.map(SchemaNode.init)
        return SchemaProgram(nodes: target.map { objects[$0] }, root: rootIndex)
    }

    func pointer(of index: Int) -> String {
        byPointer.first { $0.value == index }?.key ?? ""
    }

    mutating func reserve(_ pointer: String) throws(JSONSchema.CompileError) -> Int {
        guard specs.count < JSONSchema.maximumSubschemas else {
            throw JSONSchema.CompileError(
                path: pointer, message: "schema has more than \(JSONSchema.maximumSubschemas) subschemas")
        }
        specs.append(nil)
        byPointer[pointer] = specs.count - 1
        return specs.count - 1
    }

    mutating func compile(_ value: JSONValue, at pointer: String, depth: Int) throws(JSONSchema.CompileError) -> Int {
        let index: Int
        if let existing = byPointer[pointer] {
            if specs[existing] != nil { return existing }
            index = existing
        } else {
            index = try reserve(pointer)
        }
        specs[index] = try build(value, at: pointer, depth: depth)
        return index
    }

    /// Compiles one schema object, keyword family by keyword family
    /// (`SchemaCompiler+References`, `+Values`, `+Numbers`, `+Strings`,
    /// `+Arrays`, `+Objects`, `+Applicators`).
    mutating func build(_ value: JSONValue, at pointer: String, depth: Int) throws(JSONSchema.CompileError) -> SchemaSpec {
        var schema = SchemaBuilder(pointer: pointer, depth: depth)
        guard depth <= JSONSchema.maximumCompileDepth else {
            throw schema.error(nil, "schema is nested more than \(JSONSchema.maximumCompileDepth) levels deep")
        }
        let object: JSONObject
        switch value {
        case .bool(let b):
            schema.spec.always = b
            return schema.spec
        case .object(let o):
            object = o
        default:
            throw schema.error(nil, "a schema must be an object or a boolean, got \(value.typeName)")
        }
        for (key, value) in object {
            if try keyword(key, value, &schema) == .validates { schema.spec.keywordCount += 1 }
        }
        return schema.finished()
    }

    /// What `key` does to the schema being built: the first keyword family
    /// that knows it compiles it.
    mutating func keyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder) throws(JSONSchema.CompileError)
        -> KeywordEffect
    {
        if let effect = try referenceKeyword(key, value, &schema) { return effect }
        if let effect = try valueKeyword(key, value, &schema) { return effect }
        if let effect = try numberKeyword(key, value, &schema) { return effect }
        if let effect = try stringKeyword(key, value, &schema) { return effect }
        if let effect = try arrayKeyword(key, value, &schema) { return effect }
        if let effect = try objectKeyword(key, value, &schema) { return effect }
        return try applicatorKeyword(key, value, &schema) ?? .ignored
    }

    /// The node index of a subschema at `path` below the schema being built.
    mutating func child(_ value: JSONValue, _ path: String, of schema: SchemaBuilder) throws(JSONSchema.CompileError) -> Int {
        try compile(value, at: schema.pointer + path, depth: schema.depth + 1)
    }

    /// `allOf`, `prefixItems` and the like: a non-empty array of subschemas.
    mutating func schemaList(_ key: String, _ value: JSONValue, of schema: SchemaBuilder) throws(JSONSchema.CompileError) -> [Int] {
        guard case .array(let list) = value, !list.isEmpty else {
            throw schema.error(key, "\(key) must be a non-empty array of schemas")
        }
        var result: [Int] = []
        result.reserveCapacity(list.count)
        for (i, element) in list.enumerated() {
            result.append(try child(element, "/\(key)/\(i)", of: schema))
        }
        return result
    }

    /// `properties`, `$defs` and the like: an object of subschemas.
    mutating func schemaMap(_ key: String, _ value: JSONValue, of schema: SchemaBuilder) throws(JSONSchema.CompileError)
        -> [(String, Int)]
    {
        guard case .object(let map) = value else { throw schema.error(key, "\(key) must be an object of schemas") }
        var result: [(String, Int)] = []
        result.reserveCapacity(map.count)
        for (name, element) in map {
            result.append((name, try child(element, "/\(key)/\(escapePointer(name))", of: schema)))
        }
        return result
    }
}

/// Escapes `~` and `/` in a JSON pointer reference token.
package func escapePointer(_ token: String) -> String {
    guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
    return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}


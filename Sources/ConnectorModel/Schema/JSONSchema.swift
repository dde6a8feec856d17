import Foundation
import GatehouseJSON

/// A schema compiled once when a connector loads.
///
/// Implements the validation vocabulary of JSON Schema draft 2020-12 (and the
/// draft-07 / 2019-09 spellings connectors commonly carry): `type`, `enum`,
/// `const`, the numeric, string, array and object keywords, the applicators
/// (`allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`),
/// boolean schemas and local `$ref`s into the same document. Annotations
/// (`title`, `description`, `default`, `format`, `x-*`, …) and unknown keywords
/// are ignored.
///
/// Compilation turns the schema into a flat table of nodes that refer to each
/// other by index, so recursive `$ref`s cost nothing and validation walks no
/// JSON of the schema at all. Resource use is bounded: at most
/// ``maximumSubschemas`` nodes, an evaluation depth of ``maximumDepth`` and a
/// fixed evaluation budget; exceeding either at validation time yields a
/// violation, never a crash.
public struct JSONSchema: Sendable {
    /// The schema as written.
    public let source: JSONValue
    private let program: SchemaProgram

    /// More subschemas than this is a compile error.
    public static let maximumSubschemas = 10_000
    /// Nested subschema evaluations deeper than this are a violation.
    public static let maximumDepth = 64
    /// `validate` reports at most this many violations.
    public static let maximumViolations = 20
    /// How many subschema evaluations one `validate` call may perform.
    static let maximumSteps = 1_000_000
    /// How deeply the schema document itself may nest subschemas.
    static let maximumCompileDepth = 128

    /// Compiles `schema`, rejecting malformed schemas, remote `$ref`s and
    /// unsupported dialects.
    public init(_ schema: JSONValue) throws(JSONSchema.CompileError) {
        source = schema
        var compiler = Compiler(root: schema)
        program = try compiler.run()
    }

    /// Every way `instance` breaks the schema (at most ``maximumViolations``);
    /// empty when it is valid.
    public func validate(_ instance: JSONValue) -> [JSONSchema.Violation] {
        var evaluator = Evaluator(nodes: program.nodes)
        return evaluator.run(program.root, instance)
    }

    /// Whether `instance` is valid, without building any messages.
    func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = Evaluator(nodes: program.nodes)
        return evaluator.check(program.root, instance)
    }

    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// A JSON pointer to the offending value in the instance, "" for the root.
        public var path: String
        /// What is wrong, phrased so a language model can correct its call.
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { "\(path.isEmpty ? "arguments" : path): \(message)" }
    }

    public struct CompileError: Error, Sendable, CustomStringConvertible {
        /// A JSON pointer to the offending place in the schema, "" for the root.
        public var path: String
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { path.isEmpty ? "schema: \(message)" : "schema at \(path): \(message)" }
    }
}

// MARK: - Compiled form

/// The compiled node table. Pure `$ref` nodes share the node they point at, so
/// following a reference costs nothing at validation time.
fileprivate final class SchemaProgram: Sendable {
    let nodes: [SchemaNode]
    let root: Int

    init(nodes: [SchemaNode], root: Int) {
        self.nodes = nodes
        self.root = root
    }
}

fileprivate final class SchemaNode: Sendable {
    let spec: SchemaSpec
    init(_ spec: SchemaSpec) { self.spec = spec }
}

/// A number from a schema keyword, kept exact when it was written as an integer.
fileprivate enum SchemaNumber: Sendable, CustomStringConvertible {
    case int(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        default: return nil
        }
    }

    var double: Double {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        }
    }

    var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
            return d.description
        }
    }

    /// -1, 0 or 1 as `value` (a JSON number) is below, at or above `self`.
    func compare(_ value: JSONValue) -> Int {
        switch (value, self) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        default:
            let a = value.doubleValue ?? .nan
            let b = double
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    /// Whether the JSON number `value` is an integral multiple of `self` (> 0).
    func divides(_ value: JSONValue) -> Bool {
        if case .int(let a) = value, case .int(let b) = self { return a % b == 0 }
        guard let x = value.doubleValue else { return true }
        let quotient = x / double
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) < 1e-9
    }
}

fileprivate struct SchemaTypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = SchemaTypeSet(rawValue: 1)
    static let boolean = SchemaTypeSet(rawValue: 2)
    static let integer = SchemaTypeSet(rawValue: 4)
    static let number = SchemaTypeSet(rawValue: 8)
    static let string = SchemaTypeSet(rawValue: 16)
    static let array = SchemaTypeSet(rawValue: 32)
    static let object = SchemaTypeSet(rawValue: 64)

    static let byName: [String: SchemaTypeSet] = [
        "null": .null, "boolean": .boolean, "integer": .integer, "number": .number,
        "string": .string, "array": .array, "object": .object,
    ]

    @inline(__always) func accepts(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .int: return !isDisjoint(with: [.integer, .number])
        case .double(let d):
            return contains(.number) || (contains(.integer) && d.isFinite && d.rounded() == d)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }
}

fileprivate struct SchemaPattern: Sendable {
    let source: String
    let regex: NSRegularExpression

    @inline(__always) func matches(_ string: String) -> Bool {
        regex.rangeOfFirstMatch(in: string, options: [], range: NSRange(location: 0, length: string.utf16.count))
            .location != NSNotFound
    }
}

/// Everything one subschema checks. Child schemas are indices into the node table.
fileprivate struct SchemaSpec: Sendable {
    /// `true` / `false` schemas.
    var always: Bool?
    var types: SchemaTypeSet?
    var typeNames: [String] = []
    var constValue: JSONValue?
    var enumValues: [JSONValue]?
    var enumStrings: Set<String>?
    var enumMessage = ""

    var minimum: SchemaNumber?
    var maximum: SchemaNumber?
    var exclusiveMinimum: SchemaNumber?
    var exclusiveMaximum: SchemaNumber?
    var multipleOf: SchemaNumber?

    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?

    var prefixItems: [Int] = []
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?

    var properties: [String: Int] = [:]
    var required: [String] = []
    var additionalProperties: Int?
    var patternProperties: [(SchemaPattern, Int)] = []
    var propertyNames: Int?
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(String, [String])] = []
    var dependentSchemas: [(String, Int)] = []

    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?
    var ref: Int?

    /// How many validation keywords were compiled (annotations excluded).
    var keywordCount = 0

    var isPureRef: Bool { ref != nil && keywordCount == 1 }
    var hasStringChecks: Bool { minLength != nil || maxLength != nil || pattern != nil }
    var hasNumberChecks: Bool {
        minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil || multipleOf != nil
    }
}

// MARK: - Compiler

private struct Compiler {
    let root: JSONValue
    var specs: [SchemaSpec?] = []
    /// Canonical JSON pointer of a schema location → its node index.
    var byPointer: [String: Int] = [:]
    /// `$ref` targets reserved but not compiled yet.
    var pending: [(index: Int, pointer: String, value: JSONValue)] = []
    var rootID: String?

    init(root: JSONValue) {
        self.root = root
        if let id = root["$id"]?.stringValue {
            rootID = id.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        }
    }

    static let dialects: Set<String> = [
        "json-schema.org/draft/2020-12/schema",
        "json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft-07/schema",
    ]

    mutating func run() throws(JSONSchema.CompileError) -> SchemaProgram {
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

    mutating func build(_ value: JSONValue, at pointer: String, depth: Int) throws(JSONSchema.CompileError) -> SchemaSpec {
        func fail(_ key: String?, _ message: String) -> JSONSchema.CompileError {
            JSONSchema.CompileError(path: key.map { pointer + "/" + escapePointer($0) } ?? pointer, message: message)
        }
        guard depth <= JSONSchema.maximumCompileDepth else {
            throw fail(nil, "schema is nested more than \(JSONSchema.maximumCompileDepth) levels deep")
        }
        var spec = SchemaSpec()
        let object: JSONObject
        switch value {
        case .bool(let b):
            spec.always = b
            return spec
        case .object(let o):
            object = o
        default:
            throw fail(nil, "a schema must be an object or a boolean, got \(value.typeName)")
        }

        func child(_ value: JSONValue, _ path: String) throws(JSONSchema.CompileError) -> Int {
            try compile(value, at: pointer + path, depth: depth + 1)
        }
        func nonNegative(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> Int {
            guard let i = value.integerValue, i >= 0 else { throw fail(key, "\(key) must be a non-negative integer") }
            return Int(clamping: i)
        }
        func number(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> SchemaNumber {
            guard let n = SchemaNumber(value) else { throw fail(key, "\(key) must be a number") }
            return n
        }
        func schemaList(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> [Int] {
            guard case .array(let list) = value, !list.isEmpty else {
                throw fail(key, "\(key) must be a non-empty array of schemas")
            }
            var result: [Int] = []
            result.reserveCapacity(list.count)
            for (i, element) in list.enumerated() {
                result.append(try child(element, "/\(key)/\(i)"))
            }
            return result
        }
        func schemaMap(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> [(String, Int)] {
            guard case .object(let map) = value else { throw fail(key, "\(key) must be an object of schemas") }
            var result: [(String, Int)] = []
            result.reserveCapacity(map.count)
            for (name, element) in map {
                result.append((name, try child(element, "/\(key)/\(escapePointer(name))")))
            }
            return result
        }
        func stringList(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> [String] {
            guard case .array(let list) = value else { throw fail(key, "\(key) must be an array of strings") }
            var result: [String] = []
            for element in list {
                guard let s = element.stringValue else { throw fail(key, "\(key) must be an array of strings") }
                if !result.contains(s) { result.append(s) }
            }
            return result
        }
        func pattern(_ key: String, _ source: String) throws(JSONSchema.CompileError) -> SchemaPattern {
            do {
                return SchemaPattern(source: source, regex: try NSRegularExpression(pattern: translateECMAPattern(source)))
            } catch {
                throw fail(key, "invalid regular expression \(source)")
            }
        }

        var draft4ExclusiveMinimum = false
        var draft4ExclusiveMaximum = false
        var itemsList: [Int]?
        var additionalItems: Int?

        for (key, value) in object {
            switch key {
            case "$schema":
                guard let uri = value.stringValue else { throw fail(key, "$schema must be a string") }
                var normalized = Substring(uri)
                if normalized.hasSuffix("#") { normalized = normalized.dropLast() }
                if normalized.hasPrefix("https://") { normalized = normalized.dropFirst(8) }
                else if normalized.hasPrefix("http://") { normalized = normalized.dropFirst(7) }
                guard Self.dialects.contains(String(normalized)) else {
                    throw fail(key, "unsupported dialect \(uri) (use draft 2020-12, 2019-09 or draft-07)")
                }
            case "$ref":
                guard let ref = value.stringValue else { throw fail(key, "$ref must be a string") }
                spec.ref = try resolve(ref, at: pointer + "/$ref")
                spec.keywordCount += 1
            case "$dynamicRef", "$recursiveRef":
                throw fail(key, "\(key) is not supported")
            case "$defs", "definitions":
                _ = try schemaMap(key, value)
            case "type":
                var names: [String]
                switch value {
                case .string(let name): names = [name]
                case .array(let list):
                    names = []
                    for element in list {
                        guard let name = element.stringValue else { throw fail(key, "type must be a string or an array of strings") }
                        if !names.contains(name) { names.append(name) }
                    }
                    guard !names.isEmpty else { throw fail(key, "type must not be an empty array") }
                default:
                    throw fail(key, "type must be a string or an array of strings")
                }
                var set: SchemaTypeSet = []
                for name in names {
                    guard let t = SchemaTypeSet.byName[name] else {
                        throw fail(key, "unknown type \"\(name)\" (use null, boolean, integer, number, string, array or object)")
                    }
                    set.insert(t)
                }
                spec.types = set
                spec.typeNames = names
                spec.keywordCount += 1
            case "enum":
                guard case .array(let values) = value else { throw fail(key, "enum must be an array") }
                spec.enumValues = values
                let strings = values.compactMap(\.stringValue)
                if strings.count == values.count { spec.enumStrings = Set(strings) }
                spec.enumMessage = enumMessage(values)
                spec.keywordCount += 1
            case "const":
                spec.constValue = value
                spec.keywordCount += 1
            case "minimum":
                spec.minimum = try number(key, value)
                spec.keywordCount += 1
            case "maximum":
                spec.maximum = try number(key, value)
                spec.keywordCount += 1
            case "exclusiveMinimum":
                if case .bool(let b) = value { draft4ExclusiveMinimum = b; continue }  // OpenAPI 3.0 / draft-04 form
                spec.exclusiveMinimum = try number(key, value)
                spec.keywordCount += 1
            case "exclusiveMaximum":
                if case .bool(let b) = value { draft4ExclusiveMaximum = b; continue }
                spec.exclusiveMaximum = try number(key, value)
                spec.keywordCount += 1
            case "multipleOf":
                let n = try number(key, value)
                guard n.double > 0 else { throw fail(key, "multipleOf must be greater than 0") }
                spec.multipleOf = n
                spec.keywordCount += 1
            case "minLength":
                spec.minLength = try nonNegative(key, value)
                spec.keywordCount += 1
            case "maxLength":
                spec.maxLength = try nonNegative(key, value)
                spec.keywordCount += 1
            case "pattern":
                guard let source = value.stringValue else { throw fail(key, "pattern must be a string") }
                spec.pattern = try pattern(key, source)
                spec.keywordCount += 1
            case "items":
                if case .array = value {  // draft-07 tuple form
                    itemsList = try schemaList(key, value)
                } else {
                    spec.items = try child(value, "/items")
                }
                spec.keywordCount += 1
            case "prefixItems":
                spec.prefixItems = try schemaList(key, value)
                spec.keywordCount += 1
            case "additionalItems":
                additionalItems = try child(value, "/additionalItems")
            case "minItems":
                spec.minItems = try nonNegative(key, value)
                spec.keywordCount += 1
            case "maxItems":
                spec.maxItems = try nonNegative(key, value)
                spec.keywordCount += 1
            case "uniqueItems":
                guard case .bool(let b) = value else { throw fail(key, "uniqueItems must be a boolean") }
                spec.uniqueItems = b
                spec.keywordCount += 1
            case "contains":
                spec.contains = try child(value, "/contains")
                spec.keywordCount += 1
            case "minContains":
                spec.minContains = try nonNegative(key, value)
            case "maxContains":
                spec.maxContains = try nonNegative(key, value)
            case "properties":
                for (name, index) in try schemaMap(key, value) { spec.properties[name] = index }
                spec.keywordCount += 1
            case "required":
                spec.required = try stringList(key, value)
                spec.keywordCount += 1
            case "additionalProperties":
                spec.additionalProperties = try child(value, "/additionalProperties")
                spec.keywordCount += 1
            case "patternProperties":
                guard case .object(let map) = value else { throw fail(key, "patternProperties must be an object of schemas") }
                for (source, element) in map {
                    let compiled = try pattern(key, source)
                    spec.patternProperties.append((compiled, try child(element, "/patternProperties/\(escapePointer(source))")))
                }
                spec.keywordCount += 1
            case "propertyNames":
                spec.propertyNames = try child(value, "/propertyNames")
                spec.keywordCount += 1
            case "minProperties":
                spec.minProperties = try nonNegative(key, value)
                spec.keywordCount += 1
            case "maxProperties":
                spec.maxProperties = try nonNegative(key, value)
                spec.keywordCount += 1
            case "dependentRequired":
                guard case .object(let map) = value else { throw fail(key, "dependentRequired must be an object of string arrays") }
                for (name, list) in map {
                    spec.dependentRequired.append((name, try stringList(key, list)))
                }
                spec.keywordCount += 1
            case "dependentSchemas":
                spec.dependentSchemas += try schemaMap(key, value)
                spec.keywordCount += 1
            case "dependencies":  // draft-07: both forms under one keyword
                guard case .object(let map) = value else { throw fail(key, "dependencies must be an object") }
                for (name, element) in map {
                    if case .array = element {
                        spec.dependentRequired.append((name, try stringList(key, element)))
                    } else {
                        spec.dependentSchemas.append((name, try child(element, "/dependencies/\(escapePointer(name))")))
                    }
                }
                spec.keywordCount += 1
            case "allOf":
                spec.allOf = try schemaList(key, value)
                spec.keywordCount += 1
            case "anyOf":
                spec.anyOf = try schemaList(key, value)
                spec.keywordCount += 1
            case "oneOf":
                spec.oneOf = try schemaList(key, value)
                spec.keywordCount += 1
            case "not":
                spec.not = try child(value, "/not")
                spec.keywordCount += 1
            case "if":
                spec.ifSchema = try child(value, "/if")
                spec.keywordCount += 1
            case "then":
                spec.thenSchema = try child(value, "/then")
            case "else":
                spec.elseSchema = try child(value, "/else")
            default:
                continue  // annotations, format, x-*, unknown keywords
            }
        }

        if let list = itemsList {
            spec.prefixItems = list
            spec.items = additionalItems
        }
        if draft4ExclusiveMinimum, let minimum = spec.minimum {
            spec.exclusiveMinimum = minimum
            spec.minimum = nil
        }
        if draft4ExclusiveMaximum, let maximum = spec.maximum {
            spec.exclusiveMaximum = maximum
            spec.maximum = nil
        }
        if spec.contains == nil {
            spec.minContains = nil
            spec.maxContains = nil
        }
        if spec.ifSchema == nil {
            spec.thenSchema = nil
            spec.elseSchema = nil
        }
        return spec
    }

    /// Resolves a `$ref` to a node index, reserving (and queueing) the target
    /// when it has not been compiled yet so recursive references terminate.
    mutating func resolve(_ ref: String, at location: String) throws(JSONSchema.CompileError) -> Int {
        var fragment: Substring
        if ref.hasPrefix("#") {
            fragment = ref.dropFirst()
        } else if let id = rootID, !id.isEmpty, ref.hasPrefix(id), ref.dropFirst(id.count).first.map({ $0 == "#" }) ?? true {
            fragment = ref.dropFirst(id.count).drop { $0 == "#" }
        } else {
            throw JSONSchema.CompileError(path: location, message: "remote $ref is not supported: \(ref)")
        }
        guard let decoded = String(fragment).removingPercentEncoding else {
            throw JSONSchema.CompileError(path: location, message: "$ref \(ref) is not a valid URI fragment")
        }
        fragment = Substring(decoded)
        guard fragment.isEmpty || fragment.hasPrefix("/") else {
            throw JSONSchema.CompileError(
                path: location, message: "$ref \(ref) is not supported; use a JSON pointer such as #/$defs/name")
        }
        var target = root
        var canonical = ""
        if !fragment.isEmpty {
            for rawToken in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                switch target {
                case .object(let o) where o[token] != nil:
                    target = o[token]!
                case .array(let a) where Int(token).map({ a.indices.contains($0) }) ?? false:
                    target = a[Int(token)!]
                default:
                    throw JSONSchema.CompileError(path: location, message: "$ref target \(ref) does not exist")
                }
                canonical += "/" + escapePointer(token)
            }
        }
        switch target {
        case .object, .bool: break
        default:
            throw JSONSchema.CompileError(path: location, message: "$ref target \(ref) is not a schema")
        }
        if let existing = byPointer[canonical] { return existing }
        let index = try reserve(canonical)
        pending.append((index, canonical, target))
        return index
    }
}

private func escapePointer(_ token: String) -> String {
    guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
    return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}

private func enumMessage(_ values: [JSONValue]) -> String {
    let shown = values.prefix(25).map { value in value.stringValue ?? value.jsonString }
    var text = "must be one of: " + shown.joined(separator: ", ")
    if values.count > shown.count { text += ", … (\(values.count - shown.count) more)" }
    if values.isEmpty { text = "no value is allowed (enum is empty)" }
    return text
}

private func describeTypes(_ names: [String]) -> String {
    let phrases = names.map { name -> String in
        switch name {
        case "null": "null"
        case "integer", "array", "object": "an \(name)"
        default: "a \(name)"
        }
    }
    guard phrases.count > 1 else { return phrases.first ?? "" }
    return phrases.dropLast().joined(separator: ", ") + " or " + phrases.last!
}

private func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "\(count) \(noun)" : "\(count) \(noun)s"
}

/// Rewrites the ECMA-262 features ICU reads differently: `$` means the very
/// end, `\d` and `\w` are ASCII, and `[` inside a class is literal.
fileprivate func translateECMAPattern(_ pattern: String) -> String {
    var out = ""
    out.reserveCapacity(pattern.utf8.count + 8)
    var scalars = pattern.unicodeScalars[...]
    var inClass = false
    while let c = scalars.popFirst() {
        switch c {
        case "\\":
            guard let next = scalars.popFirst() else { out.unicodeScalars.append(c); continue }
            switch (next, inClass) {
            case ("d", false): out += "[0-9]"
            case ("D", false): out += "[^0-9]"
            case ("w", false): out += "[a-zA-Z0-9_]"
            case ("W", false): out += "[^a-zA-Z0-9_]"
            case ("d", true): out += "0-9"
            case ("w", true): out += "a-zA-Z0-9_"
            default:
                out.unicodeScalars.append(c)
                out.unicodeScalars.append(next)
            }
        case "[" where !inClass:
            if scalars.first == "]" {  // [] matches nothing
                scalars.removeFirst()
                out += "(?!)"
            } else if scalars.starts(with: "^]".unicodeScalars) {  // [^] matches anything
                scalars.removeFirst(2)
                out += "[\\s\\S]"
            } else {
                inClass = true
                out += "["
                if scalars.first == "^" { scalars.removeFirst(); out += "^" }
            }
        case "[" where inClass, "&" where inClass:
            out += "\\"
            out.unicodeScalars.append(c)
        case "]" where inClass:
            inClass = false
            out += "]"
        case "$" where !inClass:
            out += "\\z"
        default:
            out.unicodeScalars.append(c)
        }
    }
    return out
}

// MARK: - Evaluator

private enum PathSegment {
    case key(String)
    case index(Int)
}

private struct Evaluator {
    let nodes: [SchemaNode]
    var violations: [JSONSchema.Violation] = []
    /// Violations beyond this are dropped; raised while explaining a branch.
    var cap = JSONSchema.maximumViolations
    var segments: [PathSegment] = []
    var steps = 0
    /// Set once a resource bound is hit; the instance is then never valid.
    var aborted: JSONSchema.Violation?

    init(nodes: [SchemaNode]) {
        self.nodes = nodes
    }

    mutating func run(_ root: Int, _ instance: JSONValue) -> [JSONSchema.Violation] {
        violations.reserveCapacity(4)
        _ = eval(root, instance, 0, true)
        if let aborted, !violations.contains(aborted) {
            if violations.count >= JSONSchema.maximumViolations { violations.removeLast() }
            violations.append(aborted)
        }
        if violations.count > JSONSchema.maximumViolations {
            violations.removeSubrange(JSONSchema.maximumViolations...)
        }
        return violations
    }

    mutating func check(_ root: Int, _ instance: JSONValue) -> Bool {
        eval(root, instance, 0, false) && aborted == nil
    }

    var path: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let key): text += "/" + escapePointer(key)
            case .index(let i): text += "/\(i)"
            }
        }
        return text
    }

    var full: Bool { violations.count >= cap }

    /// Records a violation at the current path; true when evaluation should stop
    /// (not collecting, or the cap is reached).
    mutating func report(_ collect: Bool, _ message: @autoclosure () -> String) -> Bool {
        guard collect else { return true }
        if violations.count < cap {
            violations.append(JSONSchema.Violation(path: path, message: message()))
        }
        return full
    }

    /// Evaluates `index` collecting into a scratch area and returns what it found.
    mutating func explain(_ index: Int, _ value: JSONValue, _ depth: Int) -> (Bool, [JSONSchema.Violation]) {
        let mark = violations.count
        let savedCap = cap
        cap = mark + JSONSchema.maximumViolations
        let valid = eval(index, value, depth, true)
        cap = savedCap
        let found = Array(violations[mark...])
        violations.removeSubrange(mark...)
        return (valid, found)
    }

    /// Whether a branch's own `type` already rules the value out.
    func typeRejects(_ index: Int, _ value: JSONValue) -> Bool {
        let spec = nodes[index].spec
        if spec.always == false { return true }
        if let types = spec.types { return !types.accepts(value) }
        return false
    }

    mutating func abort(_ message: String, _ collect: Bool) -> Bool {
        if aborted == nil { aborted = JSONSchema.Violation(path: path, message: message) }
        if collect, violations.count < cap, !violations.contains(aborted!) { violations.append(aborted!) }
        return false
    }

    mutating func eval(_ index: Int, _ value: JSONValue, _ depth: Int, _ collect: Bool) -> Bool {
        if aborted != nil { return false }
        guard depth <= JSONSchema.maximumDepth else { return abort("schema too deeply nested", collect) }
        steps += 1
        guard steps <= JSONSchema.maximumSteps else { return abort("too complex to validate", collect) }

        let node = nodes[index]
        if let always = node.spec.always {
            if always { return true }
            _ = report(collect, "is not allowed")
            return false
        }
        var ok = true

        if let types = node.spec.types, !types.accepts(value) {
            ok = false
            if report(collect, "must be \(describeTypes(node.spec.typeNames)), got \(value.typeName)") { return false }
        } else {
            if let constValue = node.spec.constValue, !(constValue == value) {
                ok = false
                if report(collect, "must be \(constValue.jsonString)") { return false }
            }
            if let strings = node.spec.enumStrings {
                if case .string(let s) = value, strings.contains(s) {} else {
                    ok = false
                    if report(collect, node.spec.enumMessage) { return false }
                }
            } else if let values = node.spec.enumValues, !values.contains(value) {
                ok = false
                if report(collect, node.spec.enumMessage) { return false }
            }
        }

        switch value {
        case .string(let s) where node.spec.hasStringChecks:
            if !checkString(node.spec, s, collect) {
                ok = false
                if !collect || full { return false }
            }
        case .int, .double:
            if node.spec.hasNumberChecks, !checkNumber(node.spec, value, collect) {
                ok = false
                if !collect || full { return false }
            }
        case .array(let array):
            if !checkArray(node.spec, array, depth, collect) {
                ok = false
                if !collect || full { return false }
            }
        case .object(let object):
            if !checkObject(node.spec, object, value, depth, collect) {
                ok = false
                if !collect || full { return false }
            }
        default:
            break
        }

        if let ref = node.spec.ref, !eval(ref, value, depth + 1, collect) {
            ok = false
            if !collect || full { return false }
        }
        for branch in node.spec.allOf where !eval(branch, value, depth + 1, collect) {
            ok = false
            if !collect || full { return false }
        }
        if !node.spec.anyOf.isEmpty, !checkAnyOf(node.spec.anyOf, value, depth, collect) {
            ok = false
            if !collect || full { return false }
        }
        if !node.spec.oneOf.isEmpty, !checkOneOf(node.spec.oneOf, value, depth, collect) {
            ok = false
            if !collect || full { return false }
        }
        if let not = node.spec.not, eval(not, value, depth + 1, false) {
            ok = false
            if report(collect, "must not match the schema in not") { return false }
        }
        if let condition = node.spec.ifSchema {
            let branch = eval(condition, value, depth + 1, false) ? node.spec.thenSchema : node.spec.elseSchema
            if let branch, !eval(branch, value, depth + 1, collect) {
                ok = false
                if !collect || full { return false }
            }
        }
        return ok
    }

    mutating func checkString(_ spec: SchemaSpec, _ s: String, _ collect: Bool) -> Bool {
        var ok = true
        if spec.minLength != nil || spec.maxLength != nil {
            let utf8Count = s.utf8.count
            // Code points lie between a quarter of the UTF-8 length and all of it.
            var length: Int?
            func count() -> Int {
                if let length { return length }
                let n = s.unicodeScalars.count
                length = n
                return n
            }
            if let min = spec.minLength, utf8Count < min || (utf8Count / 4 < min && count() < min) {
                ok = false
                if report(collect, "must be at least \(plural(min, "character")) long") { return false }
            }
            if let max = spec.maxLength, utf8Count > max, count() > max {
                ok = false
                if report(collect, "must be at most \(plural(max, "character")) long") { return false }
            }
        }
        if let pattern = spec.pattern, !pattern.matches(s) {
            ok = false
            if report(collect, "must match pattern \(pattern.source)") { return false }
        }
        return ok
    }

    mutating func checkNumber(_ spec: SchemaSpec, _ value: JSONValue, _ collect: Bool) -> Bool {
        var ok = true
        if let bound = spec.minimum, bound.compare(value) < 0 {
            ok = false
            if report(collect, "must be at least \(bound)") { return false }
        }
        if let bound = spec.maximum, bound.compare(value) > 0 {
            ok = false
            if report(collect, "must be at most \(bound)") { return false }
        }
        if let bound = spec.exclusiveMinimum, bound.compare(value) <= 0 {
            ok = false
            if report(collect, "must be greater than \(bound)") { return false }
        }
        if let bound = spec.exclusiveMaximum, bound.compare(value) >= 0 {
            ok = false
            if report(collect, "must be less than \(bound)") { return false }
        }
        if let divisor = spec.multipleOf, !divisor.divides(value) {
            ok = false
            if report(collect, "must be a multiple of \(divisor)") { return false }
        }
        return ok
    }

    mutating func checkArray(_ spec: SchemaSpec, _ array: [JSONValue], _ depth: Int, _ collect: Bool) -> Bool {
        var ok = true
        if let min = spec.minItems, array.count < min {
            ok = false
            if report(collect, "must have at least \(plural(min, "item"))") { return false }
        }
        if let max = spec.maxItems, array.count > max {
            ok = false
            if report(collect, "must have at most \(plural(max, "item"))") { return false }
        }
        if spec.uniqueItems, let (first, second) = firstDuplicate(array) {
            ok = false
            if report(collect, "must not contain duplicate items (items \(first) and \(second) are equal)") { return false }
        }
        let prefixCount = Swift.min(spec.prefixItems.count, array.count)
        for i in 0..<prefixCount {
            segments.append(.index(i))
            let valid = eval(spec.prefixItems[i], array[i], depth + 1, collect)
            segments.removeLast()
            if !valid {
                ok = false
                if !collect || full { return false }
            }
        }
        if let items = spec.items, array.count > prefixCount {
            for i in prefixCount..<array.count {
                segments.append(.index(i))
                let valid = eval(items, array[i], depth + 1, collect)
                segments.removeLast()
                if !valid {
                    ok = false
                    if !collect || full { return false }
                }
            }
        }
        if let contains = spec.contains {
            let minimum = spec.minContains ?? 1
            var matches = 0
            for element in array where eval(contains, element, depth + 1, false) {
                matches += 1
                if spec.maxContains == nil, matches >= minimum { break }
            }
            if matches < minimum {
                ok = false
                let what = minimum == 1 ? "at least one item" : "at least \(plural(minimum, "item"))"
                if report(collect, "must contain \(what) matching the contains schema") { return false }
            }
            if let maximum = spec.maxContains, matches > maximum {
                ok = false
                if report(collect, "must contain at most \(plural(maximum, "item")) matching the contains schema") {
                    return false
                }
            }
        }
        return ok
    }

    mutating func checkObject(
        _ spec: SchemaSpec, _ object: JSONObject, _ value: JSONValue, _ depth: Int, _ collect: Bool
    ) -> Bool {
        var ok = true
        if let min = spec.minProperties, object.count < min {
            ok = false
            if report(collect, "must have at least \(min) \(min == 1 ? "property" : "properties")") { return false }
        }
        if let max = spec.maxProperties, object.count > max {
            ok = false
            if report(collect, "must have at most \(max) \(max == 1 ? "property" : "properties")") { return false }
        }
        for key in spec.required where object[key] == nil {
            ok = false
            segments.append(.key(key))
            let stop = report(collect, "is required")
            segments.removeLast()
            if stop { return false }
        }
        for (trigger, keys) in spec.dependentRequired where object[trigger] != nil {
            for key in keys where object[key] == nil {
                ok = false
                segments.append(.key(key))
                let stop = report(collect, "is required when \"\(trigger)\" is present")
                segments.removeLast()
                if stop { return false }
            }
        }
        for (trigger, schema) in spec.dependentSchemas where object[trigger] != nil {
            if !eval(schema, value, depth + 1, collect) {
                ok = false
                if !collect || full { return false }
            }
        }
        if let names = spec.propertyNames {
            for key in object.keys where !eval(names, .string(key), depth + 1, false) {
                ok = false
                guard collect else { return false }
                if aborted != nil { return abort("schema too deeply nested", collect) }
                let (_, found) = explain(names, .string(key), depth + 1)
                if report(collect, "property name \"\(key)\" is invalid: \(found.first?.message ?? "does not match propertyNames")") {
                    return false
                }
            }
        }
        let checksValues = !spec.properties.isEmpty || !spec.patternProperties.isEmpty || spec.additionalProperties != nil
        guard checksValues else { return ok }
        let rejectsAdditional = spec.additionalProperties.map { nodes[$0].spec.always == false } ?? false
        for (key, element) in object {
            var matched = false
            if let schema = spec.properties[key] {
                matched = true
                segments.append(.key(key))
                let valid = eval(schema, element, depth + 1, collect)
                segments.removeLast()
                if !valid {
                    ok = false
                    if !collect || full { return false }
                }
            }
            for (pattern, schema) in spec.patternProperties where pattern.matches(key) {
                matched = true
                segments.append(.key(key))
                let valid = eval(schema, element, depth + 1, collect)
                segments.removeLast()
                if !valid {
                    ok = false
                    if !collect || full { return false }
                }
            }
            if !matched, let additional = spec.additionalProperties {
                if rejectsAdditional {
                    ok = false
                    if report(collect, "unexpected property \"\(key)\"") { return false }
                    continue
                }
                segments.append(.key(key))
                let valid = eval(additional, element, depth + 1, collect)
                segments.removeLast()
                if !valid {
                    ok = false
                    if !collect || full { return false }
                }
            }
        }
        return ok
    }

    mutating func checkAnyOf(_ branches: [Int], _ value: JSONValue, _ depth: Int, _ collect: Bool) -> Bool {
        for branch in branches where eval(branch, value, depth + 1, false) { return true }
        guard collect else { return false }
        if aborted != nil { return abort("schema too deeply nested", collect) }
        explainNoMatch(branches, value, depth, generic: "must match at least one schema in anyOf")
        return false
    }

    mutating func checkOneOf(_ branches: [Int], _ value: JSONValue, _ depth: Int, _ collect: Bool) -> Bool {
        var matches = 0
        for branch in branches where eval(branch, value, depth + 1, false) { matches += 1 }
        if matches == 1 { return true }
        guard collect else { return false }
        if aborted != nil { return abort("schema too deeply nested", collect) }
        if matches == 0 {
            explainNoMatch(branches, value, depth, generic: "must match exactly one schema in oneOf (matched 0)")
        } else {
            _ = report(collect, "must match exactly one schema in oneOf (matched \(matches))")
        }
        return false
    }

    /// Explains why no branch matched: the one branch whose type fits speaks for
    /// itself, branches that differ only by type become "must be a X or Y".
    mutating func explainNoMatch(_ branches: [Int], _ value: JSONValue, _ depth: Int, generic: String) {
        let candidates = branches.filter { !typeRejects($0, value) }
        if candidates.count == 1 {
            let (valid, found) = explain(candidates[0], value, depth + 1)
            if !valid, !found.isEmpty {
                for violation in found where violations.count < cap { violations.append(violation) }
                return
            }
        } else if candidates.isEmpty {
            var names: [String] = []
            for branch in branches {
                for name in nodes[branch].spec.typeNames where !names.contains(name) { names.append(name) }
            }
            if !names.isEmpty {
                _ = report(true, "must be \(describeTypes(names)), got \(value.typeName)")
                return
            }
        }
        _ = report(true, generic)
    }

    /// The indices of the first two equal elements, if any.
    func firstDuplicate(_ array: [JSONValue]) -> (Int, Int)? {
        if array.count <= 16 {
            for i in array.indices {
                for j in (i + 1)..<array.count where array[i] == array[j] { return (i, j) }
            }
            return nil
        }
        var seen: [Int: [Int]] = [:]
        seen.reserveCapacity(array.count)
        for (j, element) in array.enumerated() {
            var hasher = Hasher()
            hashJSON(element, into: &hasher)
            let hash = hasher.finalize()
            if let earlier = seen[hash] {
                for i in earlier where array[i] == element { return (i, j) }
            }
            seen[hash, default: []].append(j)
        }
        return nil
    }
}

/// A hash consistent with JSON equality: numbers by value, objects regardless of key order.
private func hashJSON(_ value: JSONValue, into hasher: inout Hasher) {
    switch value {
    case .null: hasher.combine(0 as UInt8)
    case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
    case .int(let i): hasher.combine(2 as UInt8); hasher.combine(Double(i))
    case .double(let d): hasher.combine(2 as UInt8); hasher.combine(d)
    case .string(let s): hasher.combine(3 as UInt8); hasher.combine(s)
    case .array(let a):
        hasher.combine(4 as UInt8)
        hasher.combine(a.count)
        for element in a { hashJSON(element, into: &hasher) }
    case .object(let o):
        hasher.combine(5 as UInt8)
        hasher.combine(o.count)
        var combined = 0
        for (key, element) in o {
            var entry = Hasher()
            entry.combine(key)
            hashJSON(element, into: &entry)
            combined = combined &+ entry.finalize()
        }
        hasher.combine(combined)
    }
}

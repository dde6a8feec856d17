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

    static let dialects: Set<String> = [
        "json-schema.org/draft/2020-12/schema",
        "json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft-07/schema",
    ]

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
            case "unevaluatedProperties", "unevaluatedItems":
                // Ignoring them would accept values the schema's writer meant to refuse.
                guard strict else { continue }
                let instead = key == "unevaluatedProperties" ? "additionalProperties" : "items"
                throw fail(key, "\(key) is not supported; close the schema with \(instead) instead")
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
        var target = root
        var canonical = ""
        if !fragment.isEmpty, !fragment.hasPrefix("/") {
            guard let anchor = anchors?.targets[String(fragment)] else {
                throw JSONSchema.CompileError(
                    path: location,
                    message: "$ref \(ref) names no $anchor of this schema (or use a JSON pointer such as #/$defs/name)")
            }
            (canonical, target) = anchor
            fragment = ""
        }
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

/// Escapes `~` and `/` in a JSON pointer reference token.
func escapePointer(_ token: String) -> String {
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

import Foundation
import GatehouseJSON

/// One step of the instance path, rendered as a JSON pointer only when a violation is reported.
enum PathSegment {
    case key(String)
    case index(Int)
}

/// Runs a compiled ``SchemaProgram`` against an instance, either collecting violations or
/// just answering whether it is valid.
struct Evaluator {
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

    /// Evaluates one item or property of the current value against `schema`
    /// at its own path; true when evaluation should stop (not collecting, or
    /// the cap is reached), like ``report(_:_:)``.
    mutating func evalMember(
        _ segment: PathSegment, _ schema: Int, _ element: JSONValue, _ depth: Int, _ collect: Bool, ok: inout Bool
    ) -> Bool {
        segments.append(segment)
        let valid = eval(schema, element, depth + 1, collect)
        segments.removeLast()
        guard !valid else { return false }
        ok = false
        return !collect || full
    }

    /// ``report(_:_:)`` at the member `key` of the object being checked,
    /// which may be absent (a missing required property).
    mutating func report(_ collect: Bool, member key: String, _ message: @autoclosure () -> String) -> Bool {
        segments.append(.key(key))
        let stop = report(collect, message())
        segments.removeLast()
        return stop
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
            if evalMember(.index(i), spec.prefixItems[i], array[i], depth, collect, ok: &ok) { return false }
        }
        if let items = spec.items, array.count > prefixCount {
            for i in prefixCount..<array.count {
                if evalMember(.index(i), items, array[i], depth, collect, ok: &ok) { return false }
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
            if report(collect, member: key, "is required") { return false }
        }
        for (trigger, keys) in spec.dependentRequired where object[trigger] != nil {
            for key in keys where object[key] == nil {
                ok = false
                if report(collect, member: key, "is required when \"\(trigger)\" is present") { return false }
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
                if evalMember(.key(key), schema, element, depth, collect, ok: &ok) { return false }
            }
            for (pattern, schema) in spec.patternProperties where pattern.matches(key) {
                matched = true
                if evalMember(.key(key), schema, element, depth, collect, ok: &ok) { return false }
            }
            if !matched, let additional = spec.additionalProperties {
                if rejectsAdditional {
                    ok = false
                    if report(collect, "unexpected property \"\(key)\"") { return false }
                    continue
                }
                if evalMember(.key(key), additional, element, depth, collect, ok: &ok) { return false }
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

import ConnectorModel
import GatehouseJSON
import OpenAPIKit

/// Turns the document's JSON Schemas into the connector format's parameter
/// schemas (`type`, `enum`, `minimum`, `items`, `properties`, …).
///
/// The connector format is deliberately smaller than JSON Schema: one type
/// per value, no `oneOf`, no `null`. What it cannot say is loosened where
/// that stays truthful (a `oneOf` of objects becomes an object, an exclusive
/// bound an inclusive one) and reported as unsupported otherwise, so the
/// caller can leave the value out and say why.
struct SchemaMapper {
    struct Unsupported: Error, Sendable {
        var reason: String
        /// For a value of several kinds (a string or a list), each kind as
        /// a connector schema: a JSON Schema `anyOf` can still say it.
        var alternatives: [JSONObject]? = nil
        var description: String? = nil
    }

    /// Objects and arrays nested deeper than this become a plain
    /// `type: object` or `type: array`: the connector format refuses very
    /// deep parameters, a model fills shallow ones more reliably, and a
    /// document whose schemas refer to each other in long chains would
    /// otherwise expand into a file nobody can read.
    var maximumDepth = Self.defaultMaximumDepth
    static let defaultMaximumDepth = 5
    /// Things loosened or dropped on the way, for the file's comments.
    private(set) var notes: [String] = []
    /// Whether a top-level property of several kinds is kept as
    /// ``unions`` (with a `type: string` stand-in) rather than left out:
    /// a request body's fields, which a tool can take through an
    /// `input_schema`.
    var collectsUnions = false
    /// The top-level properties of several kinds, by name: each kind as a
    /// connector schema.
    private(set) var unions: [String: [JSONObject]] = [:]

    /// The connector schema for a value, with keys in the order people
    /// write them; `description` last so one-line parameters read well.
    mutating func map(_ schema: DereferencedJSONSchema, depth: Int = 0) throws(Unsupported) -> JSONObject {
        switch schema {
        case .string(let core, let context):
            var out = base("string", core: core)
            if let pattern = context.pattern {
                if Self.gatewayAccepts(pattern: pattern) {
                    out["pattern"] = .string(pattern)
                } else {
                    notes.append("the pattern \(pattern) is left out: the gateway's regular expressions cannot run it")
                }
            }
            if context.minLength > 0, let minLength = Self.count(context.minLength) { out["min_length"] = minLength }
            if let maxLength = context.maxLength.flatMap(Self.count) { out["max_length"] = maxLength }
            return finish(out, core: core)
        case .integer(let core, let context):
            var out = base("integer", core: core)
            // Integers can make an exclusive bound inclusive exactly (short
            // of overflowing, where the bound means nothing anyway).
            if let minimum = context.minimum {
                let inclusive = minimum.exclusive ? minimum.value.addingReportingOverflow(1) : (partialValue: minimum.value, overflow: false)
                if !inclusive.overflow { out["minimum"] = .int(Int64(inclusive.partialValue)) }
            }
            if let maximum = context.maximum {
                let inclusive = maximum.exclusive ? maximum.value.subtractingReportingOverflow(1) : (partialValue: maximum.value, overflow: false)
                if !inclusive.overflow { out["maximum"] = .int(Int64(inclusive.partialValue)) }
            }
            return finish(out, core: core)
        case .number(let core, let context):
            var out = base("number", core: core)
            // An exclusive bound on a number is kept as an inclusive one: a
            // little looser, and the API still has the last word.
            if let minimum = context.minimum { out["minimum"] = Self.number(minimum.value) }
            if let maximum = context.maximum { out["maximum"] = Self.number(maximum.value) }
            return finish(out, core: core)
        case .boolean(let core):
            return finish(base("boolean", core: core), core: core)
        case .array(let core, let context):
            var out = base("array", core: core)
            if context.minItems > 0, let minItems = Self.count(context.minItems) { out["min_items"] = minItems }
            if let maxItems = context.maxItems.flatMap(Self.count) { out["max_items"] = maxItems }
            // Items that cannot be described are left open rather than
            // making the whole array unusable.
            if let items = context.items {
                if depth >= maximumDepth {
                    notes.append("the items of an array nested more than \(maximumDepth) levels deep are left open")
                } else {
                    do {
                        out["items"] = .object(try map(items, depth: depth + 1))
                    } catch {
                        notes.append("the items of an array are left open: \(error.reason)")
                    }
                }
            }
            return finish(out, core: core)
        case .object(let core, let context):
            return try object(core: core, context: context, depth: depth)
        case .all(let schemas, let core):
            return try allOf(schemas, whole: schema, core: core, depth: depth)
        case .one(let schemas, let core), .any(let schemas, let core):
            return try alternatives(schemas, core: core, depth: depth)
        case .not:
            throw Unsupported(reason: "its schema is defined by exclusion ('not')")
        case .null:
            throw Unsupported(reason: "its schema only allows null")
        case .fragment(let core):
            // `{ enum: [a, b] }` without a type: the values tell the type.
            if let values = core.allowedValues?.compactMap({ JSONValue(documentValue: $0) }).filter({ !$0.isNull }),
                let type = Self.commonType(of: values)
            {
                return finish(base(type, core: core), core: core)
            }
            throw Unsupported(reason: "its schema declares no type")
        }
    }

    /// `{ type: string, enum: [""] }`: the empty string alone.
    static func isEmptyStringOnly(_ schema: DereferencedJSONSchema) -> Bool {
        guard case .string(let core, _) = schema, let values = core.allowedValues, values.count == 1 else { return false }
        return JSONValue(documentValue: values[0]) == .string("")
    }

    // MARK: Objects

    private mutating func object(
        core: DereferencedJSONSchema.CoreContext<JSONTypeFormat.ObjectFormat>, context: DereferencedJSONSchema.ObjectContext,
        depth: Int
    ) throws(Unsupported) -> JSONObject {
        var out = base("object", core: core)
        guard depth < maximumDepth else {
            notes.append("objects nested more than \(maximumDepth) levels deep are left as a plain object")
            return finish(out, core: core)
        }
        var properties = JSONObject()
        var leftOut = false
        let required = Set(context.requiredProperties)
        for (name, property) in context.properties {
            // The server sets read-only properties; a request does not send them.
            if property.readOnly { continue }
            do {
                var mapped = try map(property, depth: depth + 1)
                if required.contains(name) { mapped = Self.inserting("required", .bool(true), into: mapped) }
                properties[name] = .object(mapped)
            } catch {
                if collectsUnions, depth == 0, let alternatives = error.alternatives {
                    unions[name] = alternatives
                    var standIn = Self.describing(["type": "string"], with: error.description)
                    if required.contains(name) { standIn = Self.inserting("required", .bool(true), into: standIn) }
                    properties[name] = .object(standIn)
                    continue
                }
                if required.contains(name) {
                    throw Unsupported(reason: "its required property '\(name)' cannot be described: \(error.reason)")
                }
                notes.append("the optional property '\(name)' is left out: \(error.reason)")
                leftOut = true
            }
        }
        if !properties.isEmpty { out["properties"] = .object(properties) }
        // Closing the object would refuse the properties that were left out.
        if case .a(false)? = context.additionalProperties, !leftOut { out["additional_properties"] = .bool(false) }
        return finish(out, core: core)
    }

    private mutating func allOf(
        _ schemas: [DereferencedJSONSchema], whole: DereferencedJSONSchema,
        core: DereferencedJSONSchema.CoreContext<JSONTypeFormat.AnyFormat>, depth: Int
    ) throws(Unsupported) -> JSONObject {
        if let merged = try? whole.simplified(), !merged.isAllOf {
            return Self.describing(try map(merged, depth: depth), with: core.description)
        }
        // OpenAPIKit could not merge them: merge the object parts by hand.
        var merged: JSONObject = ["type": "object"]
        var properties = JSONObject()
        for schema in schemas {
            let part = try map(schema, depth: depth)
            guard case .string("object")? = part["type"] else {
                if schemas.count == 1 { return part }
                throw Unsupported(reason: "it combines schemas of different types (allOf)")
            }
            if case .object(let more)? = part["properties"] {
                for (key, value) in more { properties[key] = value }
            }
        }
        if !properties.isEmpty { merged["properties"] = .object(properties) }
        return Self.describing(merged, with: core.description)
    }

    private mutating func alternatives(
        _ schemas: [DereferencedJSONSchema], core: DereferencedJSONSchema.CoreContext<JSONTypeFormat.AnyFormat>, depth: Int
    ) throws(Unsupported) -> JSONObject {
        // `oneOf: [X, null]` is how documents say "X or nothing", and
        // Stripe's `anyOf: [X, { enum: [""] }]` "X, or empty to unset".
        var candidates = schemas.filter { if case .null = $0 { false } else { true } }
        let unsetters = candidates.filter(Self.isEmptyStringOnly)
        if !unsetters.isEmpty, unsetters.count < candidates.count {
            candidates.removeAll(where: Self.isEmptyStringOnly)
        }
        if candidates.count == 1 {
            return Self.describing(try map(candidates[0], depth: depth), with: core.description)
        }
        var mapped: [JSONObject] = []
        for candidate in candidates {
            guard let schema = try? map(candidate, depth: depth) else {
                throw Unsupported(reason: "one of its alternatives (oneOf/anyOf) cannot be described")
            }
            mapped.append(schema)
        }
        let types = Set(mapped.compactMap { $0["type"]?.stringValue })
        guard types.count == 1, let type = types.first else {
            // Scalars of several types (an id that is an integer or a
            // string) are taken as text: a path, query or header carries
            // text anyway, and APIs that accept both read it.
            if types.isSubset(of: ["string", "integer", "number", "boolean"]) {
                notes.append("a value that may be \(types.sorted().joined(separator: " or ")) is taken as a string")
                return Self.describing(["type": "string"], with: core.description)
            }
            throw Unsupported(
                reason: "it accepts values of several types (\(types.sorted().joined(separator: ", ")))", alternatives: mapped,
                description: core.description.map(Text.clean))
        }
        // Alternatives of one type: keep the type and, for objects, every
        // property any alternative has, none of them required.
        var merged: JSONObject = ["type": .string(type)]
        if type == "object" {
            var properties = JSONObject()
            for schema in mapped {
                guard case .object(let more)? = schema["properties"] else { continue }
                for (key, value) in more {
                    let property = Self.removing("required", from: value.objectValue ?? [:])
                    guard case .object(var existing)? = properties[key] else {
                        properties[key] = .object(property)
                        continue
                    }
                    // The same field in several alternatives (OpenAI's
                    // `response_format.type`: text, json_object,
                    // json_schema) takes any of their values.
                    if case .array(let known)? = existing["enum"] {
                        if case .array(let more)? = property["enum"], existing["type"] == property["type"] {
                            existing["enum"] = .array(known + more.filter { value in !known.contains { $0 == value } })
                        } else {
                            existing["enum"] = nil
                        }
                        properties[key] = .object(existing)
                    }
                }
            }
            if !properties.isEmpty { merged["properties"] = .object(properties) }
        }
        return Self.describing(merged, with: core.description)
    }

    // MARK: Shared keys

    private func base<Format>(_ type: String, core: DereferencedJSONSchema.CoreContext<Format>) -> JSONObject {
        var out: JSONObject = ["type": .string(type)]
        if let format = core.formatString, !format.isEmpty { out["format"] = .string(format) }
        return out
    }

    /// Adds `enum`, `default` and `description` where they fit the rest of
    /// the schema; a value the gateway would refuse is dropped instead of
    /// making the file invalid.
    private func finish<Format>(_ schema: JSONObject, core: DereferencedJSONSchema.CoreContext<Format>) -> JSONObject {
        var out = schema
        guard case .string(let type)? = out["type"] else { return out }
        // Compiling a checker costs more than the rest of the mapping: only
        // for schemas with values to check.
        let check = core.allowedValues != nil || core.defaultValue != nil ? Self.checker(for: out) : { _ in true }
        if let allowed = core.allowedValues {
            var values: [JSONValue] = []
            for value in allowed {
                guard let json = JSONValue(documentValue: value), let fitted = json.coerced(to: type), check(fitted) else { continue }
                if !values.contains(where: { $0 == fitted }) { values.append(fitted) }
            }
            if !values.isEmpty { out = Self.inserting("enum", .array(values), into: out, after: out["format"] == nil ? "type" : "format") }
        }
        // A document's default is what the API does when the value is left
        // out, not a value to send: the connector format sends `default:`
        // for the caller, which would narrow searches and set options some
        // requests refuse. It goes in the description instead.
        var description = core.description.map(Text.clean) ?? ""
        if let value = core.defaultValue, let json = JSONValue(documentValue: value), let fitted = json.coerced(to: type),
            fitted != .string(""), check(fitted)
        {
            let note = Self.defaultNotePrefix + "\(Self.quoted(fitted))."
            description = description.isEmpty ? note : description + (description.hasSuffix(".") ? " " : ". ") + note
        }
        return Self.describing(out, with: description.isEmpty ? nil : description)
    }

    static let defaultNotePrefix = "The API defaults to "

    /// A value as a description shows it: text in backticks, JSON otherwise.
    static func quoted(_ value: JSONValue) -> String {
        if case .string(let text) = value { return "`\(text)`" }
        return "`\(value.jsonString)`"
    }

    /// Whether a value satisfies the scalar constraints of a schema, checked
    /// by the gateway's own JSON Schema code.
    private static func checker(for schema: JSONObject) -> (JSONValue) -> Bool {
        var json = JSONObject()
        let renamed = ["min_length": "minLength", "max_length": "maxLength", "min_items": "minItems", "max_items": "maxItems"]
        for (key, value) in schema where ["type", "minimum", "maximum", "pattern", "min_length", "max_length", "min_items", "max_items"].contains(key) {
            json[renamed[key] ?? key] = value
        }
        guard let compiled = try? ConnectorModel.JSONSchema(.object(json)) else { return { _ in false } }
        return { compiled.validate($0).isEmpty }
    }

    static func gatewayAccepts(pattern: String) -> Bool {
        (try? ConnectorModel.JSONSchema(["type": "string", "pattern": .string(pattern)])) != nil
    }

    /// A length or item count as the connector format takes it (0 to
    /// 2^31-1); a larger one is no limit in practice and is left out.
    static func count(_ value: Int) -> JSONValue? {
        (0...Int(Int32.max)).contains(value) ? .int(Int64(value)) : nil
    }

    static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 9e15 ? .int(Int64(value)) : .double(value)
    }

    static func commonType(of values: [JSONValue]) -> String? {
        let types = Set(values.map { value -> String in
            switch value {
            case .int: "integer"
            case .double: "number"
            case .bool: "boolean"
            case .array: "array"
            case .object: "object"
            case .string, .null: "string"
            }
        })
        if types == ["integer", "number"] { return "number" }
        return types.count == 1 ? types.first : nil
    }

    /// The schema with `description` last, the outer one winning: a
    /// reference's own description says more about its use than the
    /// referenced schema's.
    static func describing(_ schema: JSONObject, with description: String?) -> JSONObject {
        guard let description = description.map(Text.clean), !description.isEmpty else { return schema }
        var out = removing("description", from: schema)
        out["description"] = .string(description)
        return out
    }

    static func inserting(_ key: String, _ value: JSONValue, into schema: JSONObject, after anchor: String = "type") -> JSONObject {
        var out = JSONObject()
        for (existing, member) in schema where existing != key {
            out[existing] = member
            if existing == anchor { out[key] = value }
        }
        if out[key] == nil { out[key] = value }
        return out
    }

    static func removing(_ key: String, from schema: JSONObject) -> JSONObject {
        var out = schema
        out.removeValue(forKey: key)
        return out
    }
}

extension DereferencedJSONSchema {
    fileprivate var isAllOf: Bool {
        if case .all = self { true } else { false }
    }
}

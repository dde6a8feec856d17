import Foundation
import GatehouseJSON

/// `$schema`, `$ref`, `$defs` and the keywords this engine refuses rather
/// than ignore.
extension Compiler {
    static let dialects: Set<String> = [
        "json-schema.org/draft/2020-12/schema",
        "json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft-07/schema",
    ]

    mutating func referenceKeyword(_ key: String, _ value: JSONValue, _ schema: inout SchemaBuilder)
        throws(JSONSchema.CompileError) -> KeywordEffect?
    {
        switch key {
        case "$schema":
            guard let uri = value.stringValue else { throw schema.error(key, "$schema must be a string") }
            var normalized = Substring(uri)
            if normalized.hasSuffix("#") { normalized = normalized.dropLast() }
            if normalized.hasPrefix("https://") { normalized = normalized.dropFirst(8) }
            else if normalized.hasPrefix("http://") { normalized = normalized.dropFirst(7) }
            guard Self.dialects.contains(String(normalized)) else {
                throw schema.error(key, "unsupported dialect \(uri) (use draft 2020-12, 2019-09 or draft-07)")
            }
            return .modifies
        case "$ref":
            guard let ref = value.stringValue else { throw schema.error(key, "$ref must be a string") }
            schema.spec.ref = try resolve(ref, at: schema.pointer + "/$ref")
            return .validates
        case "$dynamicRef", "$recursiveRef":
            throw schema.error(key, "\(key) is not supported")
        case "unevaluatedProperties", "unevaluatedItems":
            // Ignoring them would accept values the schema's writer meant to refuse.
            guard strict else { return .ignored }
            let instead = key == "unevaluatedProperties" ? "additionalProperties" : "items"
            throw schema.error(key, "\(key) is not supported; close the schema with \(instead) instead")
        case "$defs", "definitions":
            _ = try schemaMap(key, value, of: schema)
            return .modifies
        default:
            return nil
        }
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


import GatehouseJSON

/// The plain-name fragments (`$anchor`) of a schema document, found before
/// compilation so a `$ref: "#name"` can point anywhere, even at a subschema the
/// compiler reaches later or never walks into eagerly.
///
/// Only the root resource is searched: a subschema with its own `$id` starts
/// another resource whose anchors a `#name` written outside it cannot reach.
struct SchemaAnchors {
    /// Anchor name → the canonical JSON pointer and the schema it names.
    private(set) var targets: [String: (pointer: String, value: JSONValue)] = [:]

    /// Keywords whose value is one subschema.
    static let single: Set<String> = [
        "additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    /// Keywords whose value maps names to subschemas.
    static let maps: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas"]
    /// Keywords whose value lists subschemas.
    static let lists: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]

    init(root: JSONValue) throws(JSONSchema.CompileError) {
        try collect(root, at: "", depth: 0)
    }

    /// `$anchor` values follow the XML NCName shape JSON Schema prescribes
    /// (ASCII only here): a letter or `_`, then letters, digits, `-`, `_`, `.`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == 0x5F else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private mutating func collect(_ value: JSONValue, at pointer: String, depth: Int) throws(JSONSchema.CompileError) {
        guard case .object(let object) = value else { return }
        guard depth <= JSONSchema.maximumCompileDepth else {
            throw JSONSchema.CompileError(
                path: pointer, message: "schema is nested more than \(JSONSchema.maximumCompileDepth) levels deep")
        }
        if !pointer.isEmpty, let id = object["$id"]?.stringValue {
            // Draft-07 wrote anchors as `$id: "#name"`; anything else is an
            // embedded resource with anchors of its own.
            guard id.hasPrefix("#") else { return }
            try record(String(id.dropFirst()), keyword: "$id", value: value, at: pointer)
        }
        for keyword in ["$anchor", "$dynamicAnchor"] {
            guard let written = object[keyword] else { continue }
            guard let name = written.stringValue else {
                throw JSONSchema.CompileError(path: pointer + "/" + keyword, message: "\(keyword) must be a string")
            }
            try record(name, keyword: keyword, value: value, at: pointer)
        }
        for (key, child) in object {
            let base = pointer + "/" + escapePointer(key)
            if Self.single.contains(key) {
                try collect(child, at: base, depth: depth + 1)
            } else if Self.maps.contains(key) || key == "dependencies", case .object(let members) = child {
                for (name, member) in members {
                    try collect(member, at: base + "/" + escapePointer(name), depth: depth + 1)
                }
            } else if Self.lists.contains(key) || key == "items", case .array(let elements) = child {
                for (i, element) in elements.enumerated() {
                    try collect(element, at: base + "/\(i)", depth: depth + 1)
                }
            } else if key == "items" {
                try collect(child, at: base, depth: depth + 1)
            }
        }
    }

    private mutating func record(_ name: String, keyword: String, value: JSONValue, at pointer: String)
        throws(JSONSchema.CompileError)
    {
        guard Self.isValidName(name) else {
            throw JSONSchema.CompileError(
                path: pointer + "/" + keyword,
                message: "\(keyword) \"\(name)\" must start with a letter or '_' and hold only letters, digits, '-', '_' and '.'")
        }
        if let earlier = targets[name] {
            guard earlier.pointer == pointer else {
                throw JSONSchema.CompileError(
                    path: pointer + "/" + keyword,
                    message: "anchor \"\(name)\" is already defined at \(earlier.pointer.isEmpty ? "the root" : earlier.pointer)")
            }
            return
        }
        targets[name] = (pointer, value)
    }
}

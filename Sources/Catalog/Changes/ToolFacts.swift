import ConnectorModel
import Crypto
import GatehouseJSON

/// Everything that decides what a tool does, one named field each: what
/// clients see and what the gateway sends.
///
/// Built from the decoded tool, not the file's text, so formatting,
/// comments and key order do not count; where a file refers to a secret
/// (`${env:…}`, `${file:…}`) the reference counts, not its value, so a
/// rotated secret changes nothing, no secret can be guessed from a
/// fingerprint, and a machine without the secrets computes the same ones.
public struct ToolFacts: Sendable, Equatable {
    /// In a fixed order, the order a change report lists them in.
    public let fields: [(name: String, value: JSONValue)]

    public static func == (lhs: ToolFacts, rhs: ToolFacts) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public init(definition: ToolDefinition, target: UpstreamTarget) {
        // As written: `${env:…}` references, never the values they stand for.
        let written = target.written.baseURL.isEmpty ? target.redactor.redact(target.baseURL.description) : target.written.baseURL
        var fields: [(String, JSONValue)] = []
        func add(_ name: String, _ value: JSONValue?) { fields.append((name, value ?? .null)) }
        add("name", .string(definition.name))
        add("title", definition.title.map(JSONValue.string))
        add("description", definition.description.map(JSONValue.string))
        add("input_schema", Self.normalised(definition.inputSchema.source))
        add("output_schema", definition.response.outputSchema.map { Self.normalised($0.source) })
        add("annotations", definition.annotations.json)
        add("method", .string(definition.method.rawValue))
        add("url", .string(written + definition.path.source))
        // Where each argument goes (the schema says only what it is).
        add(
            "parameters",
            .array(definition.parameters.sorted { $0.name < $1.name }.map {
                var facts: [JSONValue] = [.string($0.name), .string($0.location.rawValue), .string($0.upstreamName), .bool($0.explode)]
                if $0.slashes { facts.append("slashes") }
                return .array(facts)
            }))
        // Key order in the file is not meaning: pairs are sorted.
        add("query", Self.pairs(definition.query.map { ($0.name, $0.value.source) }))
        add("headers", Self.pairs(target.written.headers.map { ($0.name, $0.value) } + definition.headers.map { ($0.name, $0.value.source) }))
        add("body", definition.body?.sourceJSON)
        add("auth", target.auth.map { .string($0.kindName) })
        add("scopes", .array(definition.scopes.sorted().map(JSONValue.string)))
        add("response", Self.shaping(definition.response))
        add("confirm", definition.confirmation.map { .string($0.message?.source ?? "(default question)") })
        add("tags", .array(definition.tags.sorted().map(JSONValue.string)))
        add("pagination", definition.pagination.map { pagination in
            [
                "style": .string(pagination.style.rawValue), "items": .string(pagination.items.joined(separator: ".")),
                "next": .string(pagination.next.joined(separator: ".")), "param": pagination.param.map(JSONValue.string) ?? .null,
                "size_param": pagination.sizeParameter.map(JSONValue.string) ?? .null, "size": .int(Int64(pagination.size)),
                "first": .int(Int64(pagination.first)), "max_pages": .int(Int64(pagination.maxPages)),
                "max_bytes": pagination.maxBytes.map { .int(Int64($0)) } ?? .null,
            ]
        })
        self.fields = fields
    }

    /// A schema with every `required` list sorted: it is a set, and the
    /// order parameters are written in must not count.
    static func normalised(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let object):
            var copy = JSONObject()
            for (key, value) in object {
                if key == "required", case .array(let names) = value, names.allSatisfy({ $0.stringValue != nil }) {
                    copy[key] = .array(names.sorted { $0.stringValue! < $1.stringValue! })
                } else {
                    copy[key] = normalised(value)
                }
            }
            return .object(copy)
        case .array(let elements): return .array(elements.map(normalised))
        default: return schema
        }
    }

    static func pairs(_ pairs: [(String, String)]) -> JSONValue {
        .array(pairs.sorted { ($0.0.lowercased(), $0.1) < ($1.0.lowercased(), $1.1) }.map { [.string($0.0), .string($0.1)] })
    }

    static func shaping(_ shaping: ResponseShaping) -> JSONValue {
        [
            "select": .array(shaping.select.map(JSONValue.string)),
            "where": .array(shaping.conditions.map { condition in
                let test: JSONValue =
                    switch condition.test {
                    case .equals(let value): ["equals": value]
                    case .oneOf(let values): ["in": .array(values)]
                    case .exists(let wanted): ["exists": .bool(wanted)]
                    }
                return [.string(condition.field.joined(separator: ".")), test]
            }),
            "fields": .array(shaping.fields.map { .string($0.joined(separator: ".")) }),
            "rename": .array(shaping.renames.map { [.string($0.from.joined(separator: ".")), .string($0.to)] }),
            "max_bytes": .int(Int64(shaping.maxBytes)),
            "schema_mismatch": .string(shaping.strictOutputSchema ? "strict" : "lenient"),
        ]
    }

    /// `sha256:` and the first 128 bits of the digest, in hex: short enough
    /// to read in a lock file, far too long to collide by chance.
    public var fingerprint: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        for (name, value) in fields {
            bytes += Array(name.utf8)
            bytes.append(0)
            value.appendCanonical(to: &bytes)
            bytes.append(0)
        }
        let digest = SHA256.hash(data: bytes)
        var text = "sha256:"
        for byte in digest.prefix(16) {
            text.append(Self.hex[Int(byte >> 4)])
            text.append(Self.hex[Int(byte & 0xF)])
        }
        return text
    }

    static let hex = Array("0123456789abcdef")

    public subscript(field: String) -> JSONValue? {
        fields.first { $0.name == field }?.value
    }
}

extension StringTemplate {
    /// The template as it would be written in a file.
    public var source: String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .reference(let reference): "{{ \(reference) }}"
            }
        }.joined()
    }
}

extension ValueTemplate {
    /// The body template as JSON, with placeholders as written.
    var sourceJSON: JSONValue {
        switch self {
        case .literal(let value): value
        case .string(let template): .string(template.source)
        case .array(let elements): .array(elements.map(\.sourceJSON))
        case .object(let members):
            .object(JSONObject(members.map { ($0.key, $0.value.sourceJSON) }, uniquingKeysWith: { $1 }))
        }
    }
}

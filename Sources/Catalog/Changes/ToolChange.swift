import GatehouseJSON

/// How one tool differs between two catalogues.
public struct ToolChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case added, removed, changed
    }

    /// One field whose value moved.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var before: JSONValue
        public var after: JSONValue

        /// A short human reading: the changed words of a text, or both
        /// values in compact JSON, cut to a readable length.
        public var summary: String {
            if case .string(let old) = before, case .string(let new) = after {
                return WordDiff.describe(from: old, to: new)
            }
            return "\(Self.short(before)) → \(Self.short(after))"
        }

        static func short(_ value: JSONValue) -> String {
            let text = value.jsonString
            return text.count > 160 ? String(text.prefix(160)) + "…" : text
        }
    }

    public var kind: Kind
    public var tool: String
    public var connector: String
    public var fingerprintBefore: String?
    public var fingerprintAfter: String?
    /// For `changed`: each field that differs, in ``ToolFacts`` order.
    public var fields: [Field]
}

/// The tool changes between two catalogues, by tool name.
public enum CatalogChanges {
    /// Added and changed tools in `new`'s order, then removed ones in
    /// `old`'s; fields are compared only for tools whose fingerprints differ.
    public static func between(_ old: Catalog, _ new: Catalog) -> [ToolChange] {
        between(old.tools, new.tools)
    }

    public static func between(_ old: [CatalogTool], _ new: [CatalogTool]) -> [ToolChange] {
        var before: [String: CatalogTool] = [:]
        for tool in old { before[tool.name] = tool }
        var changes: [ToolChange] = []
        var seen = Set<String>()
        for tool in new {
            seen.insert(tool.name)
            guard let previous = before[tool.name] else {
                changes.append(ToolChange(
                    kind: .added, tool: tool.name, connector: tool.target.connector, fingerprintBefore: nil,
                    fingerprintAfter: tool.fingerprint, fields: []))
                continue
            }
            guard previous.fingerprint != tool.fingerprint else { continue }
            changes.append(ToolChange(
                kind: .changed, tool: tool.name, connector: tool.target.connector, fingerprintBefore: previous.fingerprint,
                fingerprintAfter: tool.fingerprint, fields: fieldChanges(previous.facts, tool.facts)))
        }
        for tool in old where !seen.contains(tool.name) {
            changes.append(ToolChange(
                kind: .removed, tool: tool.name, connector: tool.target.connector, fingerprintBefore: tool.fingerprint,
                fingerprintAfter: nil, fields: []))
        }
        return changes
    }

    static func fieldChanges(_ old: ToolFacts, _ new: ToolFacts) -> [ToolChange.Field] {
        var fields: [ToolChange.Field] = []
        for (name, value) in new.fields {
            let previous = old[name] ?? .null
            if previous.canonicalBytes != value.canonicalBytes {
                fields.append(ToolChange.Field(name: name, before: previous, after: value))
            }
        }
        return fields
    }
}

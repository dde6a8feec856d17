import GatehouseJSON

/// What a `{{ … }}` placeholder refers to.
public enum TemplateReference: Sendable, Hashable, CustomStringConvertible {
    /// A tool argument, by parameter name.
    case argument(String)
    /// A fact about the signed-in caller.
    case user(UserField)

    public var description: String {
        switch self {
        case .argument(let name): name
        case .user(.subject): "user.sub"
        case .user(.email): "user.email"
        case .user(.name): "user.name"
        case .user(.claim(let claim)): "user.claims.\(claim)"
        }
    }
}

public enum UserField: Sendable, Hashable {
    case subject
    case email
    case name
    case claim(String)
}

/// A string with `{{ name }}` placeholders, parsed once when the file loads.
public struct StringTemplate: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case text(String)
        case reference(TemplateReference)
    }

    public var parts: [Part]

    /// The single placeholder when the template is nothing but one
    /// placeholder, which lets a body keep the argument's JSON type.
    public var loneReference: TemplateReference? {
        if parts.count == 1, case .reference(let reference) = parts[0] { return reference }
        return nil
    }

    public var references: [TemplateReference] {
        parts.compactMap { if case .reference(let r) = $0 { r } else { nil } }
    }

    public var isLiteral: Bool { references.isEmpty }

    public struct ParseError: Error, Sendable {
        public var message: String
    }

    public init(parts: [Part]) {
        self.parts = parts
    }

    public init(parsing text: String) throws(ParseError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                parts.append(.text(String(rest[rest.startIndex..<open.lowerBound])))
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ParseError(message: "unclosed '{{' in template \"\(text)\"")
            }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " \t")
            parts.append(.reference(try Self.reference(inner, in: text)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    private static func reference(_ name: Substring, in text: String) throws(ParseError) -> TemplateReference {
        guard !name.isEmpty else { throw ParseError(message: "empty placeholder in template \"\(text)\"") }
        if name.hasPrefix("user.") {
            let field = name.dropFirst("user.".count)
            switch field {
            case "sub": return .user(.subject)
            case "email": return .user(.email)
            case "name": return .user(.name)
            default:
                if field.hasPrefix("claims."), field.count > "claims.".count {
                    return .user(.claim(String(field.dropFirst("claims.".count))))
                }
                throw ParseError(
                    message: "unknown placeholder {{ \(name) }}: use user.sub, user.email, user.name or user.claims.NAME")
            }
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw ParseError(message: "invalid placeholder {{ \(name) }}")
        }
        return .argument(String(name))
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return s
    }
}

/// A JSON body (or any JSON value) whose strings may hold placeholders.
public indirect enum ValueTemplate: Sendable, Hashable {
    case literal(JSONValue)
    case string(StringTemplate)
    case array([ValueTemplate])
    case object([(key: String, value: ValueTemplate)])

    public static func == (lhs: ValueTemplate, rhs: ValueTemplate) -> Bool {
        switch (lhs, rhs) {
        case (.literal(let a), .literal(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .literal(let v): hasher.combine(0); hasher.combine(v.jsonString)
        case .string(let s): hasher.combine(1); hasher.combine(s)
        case .array(let a): hasher.combine(2); hasher.combine(a)
        case .object(let o):
            hasher.combine(3)
            for (k, v) in o { hasher.combine(k); hasher.combine(v) }
        }
    }

    /// Every placeholder used anywhere in the template.
    public var references: [TemplateReference] {
        switch self {
        case .literal: []
        case .string(let s): s.references
        case .array(let a): a.flatMap(\.references)
        case .object(let o): o.flatMap(\.value.references)
        }
    }
}

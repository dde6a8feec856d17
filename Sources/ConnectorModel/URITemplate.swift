import Foundation

/// An RFC 6570 URI template of levels 1 and 2 (`{var}`, `{+var}`,
/// `{#var}`), which a resource's URIs follow: read both ways, to list the
/// template and to find the variables in a URI a client asks for.
public struct URITemplate: Sendable, Equatable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        case literal(String)
        /// `{name}`: one value without reserved characters (no `/`, `?`, `#`).
        case simple(String)
        /// `{+name}`: reserved characters allowed, `/` included.
        case reserved(String)
        /// `{#name}`: a fragment, `#` and the value.
        case fragment(String)
    }

    public let source: String
    public let parts: [Part]

    public var description: String { source }

    public var variables: [String] {
        parts.compactMap {
            switch $0 {
            case .literal: nil
            case .simple(let name), .reserved(let name), .fragment(let name): name
            }
        }
    }

    public struct ParseError: Error, Sendable {
        public var message: String
    }

    public init(parsing text: String) throws(ParseError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw ParseError(message: "unclosed '{' in uri_template") }
            var expression = rest[rest.index(after: open)..<close]
            var kind: (String) -> Part = Part.simple
            if expression.hasPrefix("+") {
                kind = Part.reserved
                expression = expression.dropFirst()
            } else if expression.hasPrefix("#") {
                kind = Part.fragment
                expression = expression.dropFirst()
            }
            guard !expression.isEmpty, NameRules.isParameterName(String(expression)) else {
                throw ParseError(message: "'{\(rest[rest.index(after: open)..<close])}' is not a level 1 or 2 template expression (one name, optionally after + or #)")
            }
            let part = kind(String(expression))
            if let last = parts.last, case .literal = last {} else if !parts.isEmpty, case .fragment = part {} else if !parts.isEmpty {
                throw ParseError(message: "two expressions need text between them to be told apart")
            }
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        guard parts.contains(where: { if case .literal = $0 { false } else { true } }) else {
            throw ParseError(message: "uri_template has no {variable}; use uri for a fixed URI")
        }
        guard case .literal(let first)? = parts.first, first.contains(":") else {
            throw ParseError(message: "uri_template must start with a scheme, e.g. tickets://")
        }
        self.source = text
        self.parts = parts
    }

    /// The variables of `uri`, decoded, when it follows the template.
    public func match(_ uri: String) -> [String: String]? {
        var values: [String: String] = [:]
        var rest = Substring(uri)
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let literal):
                guard rest.hasPrefix(literal) else { return nil }
                rest = rest.dropFirst(literal.count)
            case .simple(let name), .reserved(let name), .fragment(let name):
                if case .fragment = part {
                    guard rest.hasPrefix("#") else { return nil }
                    rest = rest.dropFirst()
                }
                // Up to the next literal (or the end); a simple value stops
                // at any reserved character.
                var end = rest.endIndex
                if index + 1 < parts.count {
                    switch parts[index + 1] {
                    case .literal(let next):
                        guard let found = rest.range(of: next) else { return nil }
                        end = found.lowerBound
                    case .fragment:
                        guard let hash = rest.firstIndex(of: "#") else { return nil }
                        end = hash
                    default: break
                    }
                }
                let raw = rest[..<end]
                if case .simple = part, raw.contains(where: { "/?#".contains($0) }) { return nil }
                guard !raw.isEmpty, let decoded = raw.removingPercentEncoding else { return nil }
                values[name] = decoded
                rest = rest[end...]
            }
        }
        return rest.isEmpty ? values : nil
    }
}

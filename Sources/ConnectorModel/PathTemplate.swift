/// An upstream path such as `/projects/{project}/tickets`, split once at load
/// time so a call only substitutes and percent-encodes.
public struct PathTemplate: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
        /// `{user.sub}`, `{user.email}`, `{user.claims.NAME}`: the caller.
        case user(UserField)
    }

    public var segments: [Segment]
    public var source: String

    public var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    public struct ParseError: Error, Sendable {
        public var message: String
    }

    public init(parsing path: String) throws(ParseError) {
        guard path.hasPrefix("/") else { throw ParseError(message: "path must start with '/'") }
        guard !path.contains("?"), !path.contains("#") else {
            throw ParseError(message: "path must not contain '?' or '#'; use query parameters instead")
        }
        var segments: [Segment] = []
        var literal = ""
        var index = path.startIndex
        while index < path.endIndex {
            let c = path[index]
            if c == "{" {
                guard let close = path[index...].firstIndex(of: "}") else {
                    throw ParseError(message: "unclosed '{' in path")
                }
                let name = String(path[path.index(after: index)..<close])
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
                else { throw ParseError(message: "invalid path placeholder '{\(name)}'") }
                if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
                if name.hasPrefix("user.") {
                    guard case .user(let field)? = (try? StringTemplate(parsing: "{{ \(name) }}"))?.loneReference else {
                        throw ParseError(message: "unknown placeholder {\(name)}: use user.sub, user.email, user.name or user.claims.NAME")
                    }
                    segments.append(.user(field))
                } else {
                    segments.append(.parameter(name))
                }
                index = path.index(after: close)
            } else if c == "}" {
                throw ParseError(message: "unmatched '}' in path")
            } else {
                literal.append(c)
                index = path.index(after: index)
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
        self.source = path
    }
}

/// `--include` and `--exclude`: which operations of a document become tools.
///
/// A rule is `KIND:PATTERN`, with `op:` (operationId), `tag:`, `path:` or
/// `method:`; `*` in a pattern matches any run of characters (`/` included)
/// and `?` one character. An operation is imported when it matches some
/// include rule (or there are none) and no exclude rule.
public struct OperationFilter: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        case op, tag, path, method
    }

    public struct Rule: Sendable, Equatable, CustomStringConvertible {
        public var field: Field
        public var pattern: String

        public init(field: Field, pattern: String) {
            self.field = field
            self.pattern = pattern
        }

        public init(parsing text: String) throws(ImportError) {
            guard let colon = text.firstIndex(of: ":"), let field = Field(rawValue: String(text[..<colon]).lowercased()) else {
                throw ImportError(
                    "invalid filter '\(text)': write op:OPERATION_ID, tag:TAG, path:/PATH or method:METHOD (patterns may use * and ?)")
            }
            let pattern = String(text[text.index(after: colon)...])
            guard !pattern.isEmpty else { throw ImportError("invalid filter '\(text)': the pattern after '\(field.rawValue):' is empty") }
            self.init(field: field, pattern: pattern)
        }

        public var description: String { "\(field.rawValue):\(pattern)" }

        func matches(_ operation: OperationSummary) -> Bool {
            switch field {
            case .op: operation.operationId.map { Glob.matches($0, pattern: pattern) } ?? false
            // Tags and methods are names people type in any case.
            case .tag: operation.tags.contains { Glob.matches($0.lowercased(), pattern: pattern.lowercased()) }
            case .path: Glob.matches(operation.path, pattern: pattern)
            case .method: Glob.matches(operation.method.uppercased(), pattern: pattern.uppercased())
            }
        }
    }

    public var includes: [Rule]
    public var excludes: [Rule]

    public init(includes: [Rule] = [], excludes: [Rule] = []) {
        self.includes = includes
        self.excludes = excludes
    }

    public init(including: [String], excluding: [String]) throws(ImportError) {
        var includes: [Rule] = []
        for text in including { includes.append(try Rule(parsing: text)) }
        var excludes: [Rule] = []
        for text in excluding { excludes.append(try Rule(parsing: text)) }
        self.init(includes: includes, excludes: excludes)
    }

    func admits(_ operation: OperationSummary) -> Bool {
        (includes.isEmpty || includes.contains { $0.matches(operation) }) && !excludes.contains { $0.matches(operation) }
    }
}

/// The facts about an operation that filter rules look at.
struct OperationSummary: Sendable {
    var operationId: String?
    var tags: [String]
    var path: String
    var method: String
}

/// Shell-style wildcards without character classes, which an OpenAPI path's
/// `{placeholders}` would otherwise be mistaken for.
enum Glob {
    static func matches(_ text: String, pattern: String) -> Bool {
        let text = Array(text.unicodeScalars)
        let pattern = Array(pattern.unicodeScalars)
        var t = 0
        var p = 0
        // The last `*` seen and the text position it is currently matched to,
        // for backtracking; this keeps matching linear in practice.
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = (p, t)
                p += 1
            } else if let last = star {
                p = last.pattern + 1
                t = last.text + 1
                star = (last.pattern, last.text + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

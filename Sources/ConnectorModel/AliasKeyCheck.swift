/// Refuses, before the YAML parser sees them, the two constructs that let
/// a small file make the parser itself do exponential work: an alias as a
/// mapping key, and an explicit (`? `) complex key.
///
/// The parser compares mapping keys for duplicates by hashing them whole,
/// and hashing an alias walks everything it stands for, so a chain of
/// aliases used as a key ("billion laughs" in key position) never returns.
/// The decoder's own value budget cannot help: it runs after parsing.
/// Connector files have no use for either construct. The check is on the
/// text, so it errs towards refusing: an alias-like `*name:` inside a quoted
/// string is refused too, and says where.
enum AliasKeyCheck {
    static func refusal(in text: String, file: String) -> Diagnostic? {
        guard text.contains("*") || text.contains("?") else { return nil }
        var line = 1
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            defer { line += 1 }
            let trimmed = rawLine.drop { $0 == " " || $0 == "\t" || $0 == "-" }
            if trimmed.hasPrefix("? ") || trimmed == "?" {
                return Diagnostic(file: file, line: line, column: 1, message: "complex mapping keys ('? ') are not supported")
            }
            guard rawLine.contains("*") else { continue }
            if let column = aliasKeyColumn(in: rawLine) {
                return Diagnostic(file: file, line: line, column: column, message: "a YAML alias cannot be a mapping key")
            }
        }
        return nil
    }

    /// The column of `*name:` or `*name :` (an alias followed by a key
    /// separator), if the line has one outside a comment.
    static func aliasKeyColumn(in line: Substring) -> Int? {
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "#", index == 0 || characters[index - 1] == " " { return nil }
            let startsAlias = character == "*" && (index == 0 || " \t[{,?:-".contains(characters[index - 1]))
            if startsAlias {
                var end = index + 1
                while end < characters.count, !" \t,[]{}:".contains(characters[end]) { end += 1 }
                var next = end
                while next < characters.count, characters[next] == " " || characters[next] == "\t" { next += 1 }
                if end > index + 1, next < characters.count, characters[next] == ":",
                    next + 1 == characters.count || " \t,}]".contains(characters[next + 1])
                {
                    return index + 1
                }
                index = end
                continue
            }
            index += 1
        }
        return nil
    }
}

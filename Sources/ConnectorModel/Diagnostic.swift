/// One problem found in a connector file, located the way compilers and
/// editors expect: `file:line:column: message`.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = Self.contained(message)
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }

    /// The longest quoted piece of a file a message repeats.
    public static let maxQuotedCharacters = 64
    /// The longest message.
    public static let maxMessageCharacters = 400

    /// Problem texts are shown on `/status`, which needs no sign-in, so they
    /// must not become a way to read files: a piece of the file quoted in
    /// a message (a key, a value) is cut to a few dozen characters, control
    /// characters are escaped, and the whole message is bounded.
    static func contained(_ message: String) -> String {
        var result = ""
        var quoted = ""
        var inQuote = false
        for character in message {
            if character == "'" {
                if inQuote {
                    result += quoted.count > maxQuotedCharacters ? String(quoted.prefix(maxQuotedCharacters - 1)) + "…" : quoted
                    quoted = ""
                }
                inQuote.toggle()
                result.append(character)
                continue
            }
            let visible = character.isASCII && (character.asciiValue! < 0x20 || character.asciiValue! == 0x7F)
                ? "\\u{\(String(character.asciiValue!, radix: 16))}" : String(character)
            if inQuote { quoted += visible } else { result += visible }
        }
        if inQuote { result += quoted.count > maxQuotedCharacters ? String(quoted.prefix(maxQuotedCharacters - 1)) + "…" : quoted }
        return result.count > maxMessageCharacters ? String(result.prefix(maxMessageCharacters - 1)) + "…" : result
    }
}

/// A position inside a connector file, kept on decoded values that later
/// checks (such as cross-file duplicate names) need to point back to.
public struct SourceLocation: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public func diagnostic(_ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, column: column, message: message)
    }
}

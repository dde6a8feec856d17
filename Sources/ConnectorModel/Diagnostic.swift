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

    /// A piece of the file (a key, a name) as a message quotes it: cut to
    /// ``maxQuotedCharacters``, control characters escaped, and its own
    /// apostrophes replaced, so it cannot end the quote early and carry the
    /// rest of the file past the cut.
    public static func quoted(_ piece: some StringProtocol) -> String {
        var text = ""
        for character in piece.prefix(maxQuotedCharacters) {
            text += character == "'" ? "\u{2019}" : visible(character)
        }
        if piece.count > maxQuotedCharacters { text = String(text.dropLast()) + "…" }
        return "'" + text + "'"
    }

    /// A control character as an escape, anything else as itself.
    static func visible(_ character: Character) -> String {
        guard character.isASCII, let value = character.asciiValue, value < 0x20 || value == 0x7F else { return String(character) }
        return "\\u{\(String(value, radix: 16))}"
    }

    /// The longest quoted piece of a file a message repeats.
    public static let maxQuotedCharacters = 64
    /// The longest message.
    public static let maxMessageCharacters = 400

    /// Problem texts are shown on `/status`, which needs no sign-in, so they
    /// must not become a way to read files: a piece of the file quoted in
    /// a message (a key, a value) is cut to a few dozen characters, control
    /// characters are escaped, and the whole message is bounded.
    static func contained(_ message: String) -> String {
        let characters = Array(message)
        var result = ""
        var quoted = ""
        var inQuote = false
        func closeQuote() {
            result += quoted.count > maxQuotedCharacters ? String(quoted.prefix(maxQuotedCharacters - 1)) + "…" : quoted
            quoted = ""
        }
        for (index, character) in characters.enumerated() {
            if character == "'" {
                // A quote opens after a space or an opening bracket and closes
                // before a space or punctuation; an apostrophe ("schema's")
                // does neither.
                let before = index > 0 ? characters[index - 1] : " "
                let after = index + 1 < characters.count ? characters[index + 1] : " "
                if !inQuote, before.isWhitespace || "([{:,=".contains(before) {
                    inQuote = true
                    result.append(character)
                    continue
                }
                if inQuote, after.isWhitespace || ".,;:)]}?!;".contains(after) {
                    closeQuote()
                    inQuote = false
                    result.append(character)
                    continue
                }
            }
            if inQuote { quoted += visible(character) } else { result += visible(character) }
        }
        if inQuote { closeQuote() }
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

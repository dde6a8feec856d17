import Foundation

/// Clean-up of prose taken from the document.
enum Text {
    /// Descriptions as the model will read them: Unix line breaks, no
    /// trailing spaces on lines, no blank lines at either end.
    static func clean(_ text: String) -> String {
        cleanPlain(HTMLText.isHTML(text) ? HTMLText.markdown(text) : text)
    }

    /// ``clean(_:)`` for text known not to be HTML.
    static func cleanPlain(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                var line = Substring(line)
                while line.last == " " || line.last == "\t" { line.removeLast() }
                return line
            }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Non-empty cleaned text, or nil.
    static func nonEmpty(_ text: String?) -> String? {
        guard let text else { return nil }
        let cleaned = clean(text)
        return cleaned.isEmpty ? nil : cleaned
    }

    /// Text on one line, for YAML comments and stderr.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
    }

    /// Words wrapped into lines of at most `width` characters (a longer word
    /// stands alone).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in oneLine(text).split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}

/// Descriptions written in HTML (Stripe's, Box's) as the Markdown a model
/// reads well: paragraphs, lists, code, emphasis and links kept, every
/// other tag dropped, entities decoded. Text without HTML is left alone.
enum HTMLText {
    /// Tags whose presence marks a description as HTML.
    static let markers = ["<p>", "<p ", "</p>", "<br", "<a ", "<code>", "<ul>", "<ol>", "<li>", "<strong>", "<em>", "<b>", "<i>", "<div", "<span", "<pre>", "<table"]

    static func isHTML(_ text: String) -> Bool {
        guard text.utf8.contains(UInt8(ascii: "<")) else { return false }
        let lower = text.lowercased()
        return markers.contains { lower.contains($0) }
    }

    static func markdown(_ text: String) -> String {
        guard isHTML(text) else { return text }
        var out = ""
        var index = text.startIndex
        var links: [String?] = []
        var listDepth = 0
        var inPre = false
        while index < text.endIndex {
            let character = text[index]
            guard character == "<", let close = text[index...].firstIndex(of: ">") else {
                if character == "&", let (decoded, next) = entity(in: text, at: index) {
                    out += decoded
                    index = next
                    continue
                }
                // Whitespace in HTML collapses, except inside <pre>.
                if !inPre, character.isWhitespace {
                    if let last = out.last, !last.isWhitespace { out.append(" ") }
                } else {
                    out.append(character)
                }
                index = text.index(after: index)
                continue
            }
            let tag = text[text.index(after: index)..<close]
            index = text.index(after: close)
            let closing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            switch name {
            case "p", "div", "table", "tr":
                paragraph(&out)
            case "br":
                trimTrailingSpaces(&out)
                out += "\n"
            case "ul", "ol":
                listDepth = max(0, listDepth + (closing ? -1 : 1))
                paragraph(&out)
            case "li":
                if !closing {
                    trimTrailingSpaces(&out)
                    if !out.isEmpty, out.last != "\n" { out += "\n" }
                    out += String(repeating: "  ", count: max(0, listDepth - 1)) + "- "
                }
            case "code", "tt":
                if !inPre { out += "`" }
            case "pre":
                inPre = !closing
                paragraph(&out)
                out += "```\n"
                if closing { paragraph(&out) }
            case "strong", "b":
                out += "**"
            case "em", "i":
                out += "*"
            case "a":
                if closing {
                    if let href = links.popLast() ?? nil { out += "](\(href))" }
                } else {
                    let href = attribute("href", in: tag)
                    links.append(href)
                    if href != nil { out += "[" }
                }
            case "h1", "h2", "h3", "h4", "h5", "h6":
                if !closing { paragraph(&out) }
                out += "**"
                if closing { paragraph(&out) }
            default:
                break
            }
        }
        return Text.cleanPlain(collapseBlankLines(out))
    }

    static func paragraph(_ out: inout String) {
        trimTrailingSpaces(&out)
        guard !out.isEmpty else { return }
        while !out.hasSuffix("\n\n") { out += "\n" }
    }

    static func trimTrailingSpaces(_ out: inout String) {
        while out.last == " " { out.removeLast() }
    }

    static func collapseBlankLines(_ text: String) -> String {
        var result = text
        while result.contains("\n\n\n") { result = result.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return result.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.drop { $0 == " " && !line.hasPrefix("  -") && !line.hasPrefix("- ") }
        }.joined(separator: "\n")
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: name + "=") else { return nil }
        var rest = tag[range.upperBound...]
        guard let quote = rest.first, quote == "\"" || quote == "'" else {
            return String(rest.prefix { !$0.isWhitespace })
        }
        rest = rest.dropFirst()
        guard let end = rest.firstIndex(of: quote) else { return nil }
        return String(rest[..<end])
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "mdash": "—", "ndash": "–", "hellip": "…",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“",
    ]

    /// `&amp;`, `&#39;`, `&#x2014;` at `index`, and where the text goes on.
    static func entity(in text: String, at index: String.Index) -> (String, String.Index)? {
        guard let semicolon = text[index...].prefix(12).firstIndex(of: ";") else { return nil }
        let body = text[text.index(after: index)..<semicolon]
        let next = text.index(after: semicolon)
        if body.hasPrefix("#x") || body.hasPrefix("#X"), let code = UInt32(body.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
            return (String(Character(scalar)), next)
        }
        if body.hasPrefix("#"), let code = UInt32(body.dropFirst()), let scalar = Unicode.Scalar(code) {
            return (String(Character(scalar)), next)
        }
        return named[String(body)].map { ($0, next) }
    }
}

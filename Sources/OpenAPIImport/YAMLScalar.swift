/// How one string is written in YAML so that reading it back gives the same
/// string: plain when that is unambiguous, double-quoted otherwise.
///
/// The plain form is chosen conservatively. A YAML 1.1 reader (libyaml, and
/// so Yams) turns `yes`, `on`, `12:30` or `2024-01-01` into booleans, numbers
/// and dates, so anything that could be read as another type is quoted.
enum YAMLScalar {
    /// Where the scalar stands: inside `{ … }` or `[ … ]` commas and brackets
    /// end a plain scalar, so fewer strings may be plain there.
    enum Context {
        case block
        case flow
    }

    static func render(_ string: String, in context: Context) -> String {
        isPlainSafe(string, in: context) ? string : doubleQuoted(string)
    }

    /// Words a YAML 1.1 reader resolves to booleans or null.
    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    static func isPlainSafe(_ string: String, in context: Context) -> Bool {
        let scalars = string.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        // A letter, `/` or `_` first rules out every indicator character,
        // numbers, dates, `.inf` and `<<`.
        guard first.properties.isAlphabetic || first == "/" || first == "_" else { return false }
        guard last != " ", last != ":" else { return false }
        guard !reservedWords.contains(string.lowercased()) else { return false }
        var previous: Unicode.Scalar = " "
        for scalar in scalars {
            guard isPrintable(scalar), scalar != "\t" else { return false }
            switch scalar {
            case "#" where previous == " ": return false
            case " " where previous == ":": return false
            // Brackets and commas only matter inside `{ … }` and `[ … ]`
            // (the first character was checked above); YAML 1.1 readers
            // such as PyYAML also refuse a `?` there (`[a.com/x?q=1]`).
            case "{", "}", "[", "]", ",", "?": if context == .flow { return false }
            default: break
            }
            previous = scalar
        }
        return true
    }

    /// YAML's printable set, less the characters libyaml treats as line
    /// breaks (NEL, LS, PS) and the byte order mark.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: true
        case 0xA0...0xD7FF: scalar.value != 0x2028 && scalar.value != 0x2029
        case 0xE000...0xFFFD: scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    static func doubleQuoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Whether a multi-line string can be a literal block (`|`): every line
    /// printable, with tabs allowed, and no carriage returns.
    static func fitsLiteralBlock(_ string: String) -> Bool {
        string.contains("\n")
            && string.unicodeScalars.allSatisfy { $0 == "\n" || $0 == "\t" || isPrintable($0) }
    }

    /// The header and body lines of a literal block at `indent` spaces.
    static func literalBlock(_ string: String, indent: Int) -> (header: String, lines: [String]) {
        var body = Substring(string)
        var trailingNewlines = 0
        while body.hasSuffix("\n") {
            body = body.dropLast()
            trailingNewlines += 1
        }
        let chomping = trailingNewlines == 0 ? "-" : trailingNewlines == 1 ? "" : "+"
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        // The reader guesses the indentation from the first non-empty line;
        // a line that starts with a space would mislead it.
        let firstText = lines.first { !$0.isEmpty }
        let indicator = firstText?.first == " " ? "2" : ""
        let pad = String(repeating: " ", count: indent)
        var rendered = lines.map { $0.isEmpty ? "" : pad + $0 }
        rendered += Array(repeating: "", count: max(0, trailingNewlines - 1))
        return ("|" + indicator + chomping, rendered)
    }
}

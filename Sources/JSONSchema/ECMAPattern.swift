import Foundation

/// Rewrites the ECMA-262 features ICU reads differently: `$` means the very
/// end, `\d` and `\w` are ASCII, and `[` inside a class is literal.
func translateECMAPattern(_ pattern: String) -> String {
    var out = ""
    out.reserveCapacity(pattern.utf8.count + 8)
    var scalars = pattern.unicodeScalars[...]
    var inClass = false
    while let c = scalars.popFirst() {
        switch c {
        case "\\":
            guard let next = scalars.popFirst() else { out.unicodeScalars.append(c); continue }
            switch (next, inClass) {
            case ("d", false): out += "[0-9]"
            case ("D", false): out += "[^0-9]"
            case ("w", false): out += "[a-zA-Z0-9_]"
            case ("W", false): out += "[^a-zA-Z0-9_]"
            case ("d", true): out += "0-9"
            case ("w", true): out += "a-zA-Z0-9_"
            default:
                out.unicodeScalars.append(c)
                out.unicodeScalars.append(next)
            }
        case "[" where !inClass:
            if scalars.first == "]" {  // [] matches nothing
                scalars.removeFirst()
                out += "(?!)"
            } else if scalars.starts(with: "^]".unicodeScalars) {  // [^] matches anything
                scalars.removeFirst(2)
                out += "[\\s\\S]"
            } else {
                inClass = true
                out += "["
                if scalars.first == "^" { scalars.removeFirst(); out += "^" }
            }
        case "[" where inClass, "&" where inClass:
            out += "\\"
            out.unicodeScalars.append(c)
        case "]" where inClass:
            inClass = false
            out += "]"
        case "$" where !inClass:
            out += "\\z"
        default:
            out.unicodeScalars.append(c)
        }
    }
    return out
}

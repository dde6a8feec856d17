/// The lines two texts differ in, as a unified diff without its headers:
/// `-` for what was expected, `+` for what came, two lines of context.
enum LineDiff {
    static func render(expected: String, actual: String, context: Int = 2) -> [String] {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Longest common subsequence, table from the end; texts in tests
        // are short (a request body, a tool result).
        guard a.count * b.count <= 4_000_000 else {
            return a.map { "- " + $0 } + b.map { "+ " + $0 }
        }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var lines: [(mark: Character, text: String)] = []
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append((" ", a[i]))
                i += 1
                j += 1
            } else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] {
                lines.append(("-", a[i]))
                i += 1
            } else {
                lines.append(("+", b[j]))
                j += 1
            }
        }
        // Keep changed lines and their context; elide long equal stretches.
        var near = Array(repeating: false, count: lines.count)
        for index in lines.indices where lines[index].mark != " " {
            for other in max(0, index - context)...min(lines.count - 1, index + context) { near[other] = true }
        }
        var shown: [String] = []
        var last = -1
        for index in lines.indices where near[index] {
            if last >= 0, index > last + 1 { shown.append("  …") }
            shown.append("\(lines[index].mark) \(lines[index].text)")
            last = index
        }
        return shown
    }
}

/// What changed in a text, word by word: `[-removed-]` and `{+added+}`
/// around the words that differ, with a little unchanged context, so a
/// reviewer sees a reworded tool description at a glance.
public enum WordDiff {
    /// Texts longer than this (in words) are compared by their changed
    /// middle only: the diff stays cheap whatever the file says.
    static let maximumWords = 400

    public static func describe(from old: String, to new: String, context: Int = 4) -> String {
        let a = old.split(whereSeparator: \.isWhitespace).map(String.init)
        let b = new.split(whereSeparator: \.isWhitespace).map(String.init)
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middleA = Array(a[prefix..<(a.count - suffix)])
        let middleB = Array(b[prefix..<(b.count - suffix)])
        var out: [String] = []
        if prefix > context { out.append("…") }
        out += a[max(0, prefix - context)..<prefix]
        if middleA.count + middleB.count > maximumWords || middleA.isEmpty || middleB.isEmpty {
            if !middleA.isEmpty { out.append("[-" + middleA.joined(separator: " ") + "-]") }
            if !middleB.isEmpty { out.append("{+" + middleB.joined(separator: " ") + "+}") }
        } else {
            out += edits(middleA, middleB)
        }
        out += a[(a.count - suffix)..<min(a.count, a.count - suffix + context)]
        if suffix > context { out.append("…") }
        if a == b && old != new { return "white space only" }
        return out.joined(separator: " ")
    }

    /// The longest common subsequence of two word lists, as runs of kept,
    /// removed and added words.
    static func edits(_ a: [String], _ b: [String]) -> [String] {
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var out: [String] = []
        var removed: [String] = []
        var added: [String] = []
        func flush() {
            if !removed.isEmpty { out.append("[-" + removed.joined(separator: " ") + "-]") }
            if !added.isEmpty { out.append("{+" + added.joined(separator: " ") + "+}") }
            removed = []
            added = []
        }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                flush()
                out.append(a[i])
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                added.append(b[j])
                j += 1
            } else {
                removed.append(a[i])
                i += 1
            }
        }
        flush()
        return out
    }
}

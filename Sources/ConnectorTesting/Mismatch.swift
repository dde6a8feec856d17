/// One way a call differed from its case: what was checked, what the case
/// expected and what happened, with a line diff when either is long.
public struct Mismatch: Sendable, Equatable {
    public var what: String
    public var expected: String
    public var actual: String

    public init(what: String, expected: String, actual: String) {
        self.what = what
        self.expected = expected
        self.actual = actual
    }

    /// How the mismatch prints under its case.
    public var lines: [String] {
        guard expected.contains("\n") || actual.contains("\n") else {
            return ["\(what): expected \(expected), got \(actual)"]
        }
        return ["\(what) differs (- expected, + actual):"] + LineDiff.render(expected: expected, actual: actual).map { "    " + $0 }
    }
}

import ConnectorModel

/// How one case went.
public struct CaseReport: Sendable {
    public var name: String
    public var location: SourceLocation
    public var mismatches: [Mismatch] = []
    /// Why the case could not run (no such tool, no answer to replay).
    public var problem: String?

    public var passed: Bool { problem == nil && mismatches.isEmpty }

    /// The case as printed: a line, then what differed.
    public var lines: [String] {
        guard !passed else { return ["PASS \(name)"] }
        var lines = ["FAIL \(name) (\(location.file):\(location.line):\(location.column))"]
        if let problem { lines.append("  " + problem) }
        for mismatch in mismatches { lines += mismatch.lines.map { "  " + $0 } }
        return lines
    }
}

/// How one test file went.
public struct SuiteReport: Sendable {
    public var file: String
    /// Problems of the connector files the cases ran against.
    public var connectorProblems: [Diagnostic] = []
    /// What `--record` did, a line per case.
    public var recorded: [String] = []
    public var cases: [CaseReport] = []

    public var passed: Bool { connectorProblems.isEmpty && cases.allSatisfy(\.passed) }
}

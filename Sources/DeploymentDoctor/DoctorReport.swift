/// The findings as a person reads them in a terminal or a CI log, and the
/// verdict a CI job exits with.
public struct DoctorReport: Sendable {
    public let url: String
    public let findings: [DoctorFinding]

    public init(url: String, findings: [DoctorFinding]) {
        self.url = url
        self.findings = findings
    }

    /// Failures always fail; warnings only when `strict`.
    public func passes(strict: Bool) -> Bool {
        !findings.contains { $0.verdict == .failure || (strict && $0.verdict == .warning) }
    }

    public var lines: [String] {
        let width = findings.map(\.check.count).max() ?? 0
        var lines = ["gatehouse doctor \(url)"]
        for finding in findings {
            let label: String
            switch finding.verdict {
            case .pass: label = "PASS"
            case .warning: label = "WARN"
            case .failure: label = "FAIL"
            case .skipped: label = "SKIP"
            }
            let padding = String(repeating: " ", count: width - finding.check.count)
            lines.append("  \(label)  \(finding.check)\(padding)  \(finding.summary)")
            if let fix = finding.fix {
                lines.append("        \(String(repeating: " ", count: width))  fix: \(fix)")
            }
        }
        let count = { (verdict: DoctorFinding.Verdict) in findings.filter { $0.verdict == verdict }.count }
        let warnings = count(.warning), failures = count(.failure)
        lines.append(
            "\(count(.pass)) passed, \(warnings) warning\(warnings == 1 ? "" : "s"), \(failures) failed, \(count(.skipped)) skipped")
        return lines
    }
}

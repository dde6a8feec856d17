/// The outcome of one check: what was looked at, how it went, and when it
/// did not pass, what to change.
public struct DoctorFinding: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case pass, warning, failure, skipped
    }

    /// A short, stable name (`resource-metadata`, `pkce`), for people and
    /// for scripts that grep the output.
    public var check: String
    public var verdict: Verdict
    /// What was found, in one sentence.
    public var summary: String
    /// What to change, when something should change.
    public var fix: String?

    public init(_ check: String, _ verdict: Verdict, _ summary: String, fix: String? = nil) {
        self.check = check
        self.verdict = verdict
        self.summary = summary
        self.fix = fix
    }

    static func pass(_ check: String, _ summary: String) -> DoctorFinding { .init(check, .pass, summary) }
    static func warning(_ check: String, _ summary: String, fix: String) -> DoctorFinding { .init(check, .warning, summary, fix: fix) }
    static func failure(_ check: String, _ summary: String, fix: String) -> DoctorFinding { .init(check, .failure, summary, fix: fix) }
    static func skipped(_ check: String, _ summary: String) -> DoctorFinding { .init(check, .skipped, summary) }
}

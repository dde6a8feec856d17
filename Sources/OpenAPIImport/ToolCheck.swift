import ConnectorModel

/// Generated tools checked by the decoder `gatehouse serve` and `gatehouse
/// check` use, so the output is valid by construction rather than by hope.
///
/// The whole file is decoded once, and a problem is traced by its line to
/// the tool it belongs to, which is then left out with the decoder's
/// reason. Decoding each tool alone as well cost a large document a third
/// of its import time.
enum ToolCheck {
    /// A stand-in for the real base URL, which may name a secret that is
    /// not set where the import runs.
    private static let probeBaseURL = "https://api.example.com"
    /// Rounds of leaving tools out before giving up: a problem that is not
    /// any one tool's (which would be a bug in the writer) never clears.
    private static let maximumRounds = 4

    /// The file with every tool the decoder refuses turned into a skipped
    /// entry, and the reasons, by the refused tools' origins.
    static func checked(_ file: ConnectorFile, writer: ConnectorWriter) throws(ImportError) -> (
        file: ConnectorFile, refused: [(origin: String, reason: String)]
    ) {
        var file = file
        var refused: [(origin: String, reason: String)] = []
        for _ in 0..<maximumRounds {
            var probe = file
            probe.baseURL = probeBaseURL
            let layout = writer.layout(probe)
            let diagnostics = ConnectorDecoder().decode(yaml: layout.text, file: "generated").diagnostics
            guard let first = diagnostics.first else { return (file, refused) }
            var problems: [Int: String] = [:]
            for diagnostic in diagnostics {
                guard let index = layout.entry(atLine: diagnostic.line), case .tool = file.entries[index] else {
                    throw ImportError("the generated connector does not pass validation (please report this): \(first)")
                }
                if problems[index] == nil { problems[index] = diagnostic.message }
            }
            for (index, problem) in problems.sorted(by: { $0.key < $1.key }) {
                guard case .tool(let tool) = file.entries[index] else { continue }
                let reason = "the generated tool is not valid (\(problem))"
                file.entries[index] = .skipped(origin: tool.origin, reason: reason)
                refused.append((tool.origin, reason))
            }
        }
        throw ImportError("the generated connector does not pass validation (please report this)")
    }
}

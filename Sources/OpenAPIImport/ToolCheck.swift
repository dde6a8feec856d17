import ConnectorModel

/// Generated tools checked by the decoder `gatehouse serve` and `gatehouse
/// check` use, so the output is valid by construction rather than by hope.
enum ToolCheck {
    /// A stand-in for the real base URL, which may name a secret that is
    /// not set where the import runs.
    private static let probeBaseURL = "https://api.example.com"

    /// The first problem the decoder finds with one tool, or nil.
    static func problem(with tool: ToolDraft) -> String? {
        let writer = ConnectorWriter()
        let text = "connector: probe\nbase_url: \(probeBaseURL)\ntools:\n" + writer.tool(tool).joined(separator: "\n") + "\n"
        let result = ConnectorDecoder().decode(yaml: text, file: "probe")
        return result.diagnostics.first?.message
    }

    /// Fails when the whole file would not load; with every tool checked
    /// alone, that means a bug in the writer.
    static func verify(file: ConnectorFile, writer: ConnectorWriter) throws(ImportError) {
        var probe = file
        probe.baseURL = probeBaseURL
        let result = ConnectorDecoder().decode(yaml: writer.render(probe), file: "generated")
        if let problem = result.diagnostics.first {
            throw ImportError("the generated connector does not pass validation (please report this): \(problem)")
        }
    }
}

import ConnectorModel

/// `endpoints.yaml` in the connector folder: read with the connector
/// files, on every reload, so endpoints come and go without a restart.
public enum EndpointsFile {
    /// The names the file may have; neither is read as a connector.
    public static let names: Set<String> = ["endpoints.yaml", "endpoints.yml"]

    /// The endpoints the folder declares (none without the file), and the
    /// file's problems.
    public static func read(_ folder: ConnectorFolder) -> EndpointsDecoder.Result {
        for name in names.sorted() {
            guard let source = folder.readSpecial(name) else { continue }
            guard let text = source.text else {
                return EndpointsDecoder.Result(
                    endpoints: [], diagnostics: [Diagnostic(file: source.file, line: 1, column: 1, message: source.problem ?? "cannot read file")])
            }
            return EndpointsDecoder().decode(yaml: text, file: source.file)
        }
        return EndpointsDecoder.Result(endpoints: [], diagnostics: [])
    }
}

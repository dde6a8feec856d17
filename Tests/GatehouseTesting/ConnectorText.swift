/// Connector files written by tests, so each test shows only the lines it
/// is about.
public enum ConnectorText {
    /// A connector with one tool named `t`. `toolLines` continue the tool's
    /// mapping (indented by four spaces) and start on line 8 of the file;
    /// `connectorLines` go before `tools:` (and move the tool down).
    public static func oneTool(
        _ toolLines: String = "", method: String = "GET", path: String = "/a", connector: String = "x",
        baseURL: String = "https://a.example", description: String = "d", connectorLines: String = ""
    ) -> String {
        let head = connectorLines.isEmpty ? "" : connectorLines + "\n"
        return """
            connector: \(connector)
            base_url: \(baseURL)
            \(head)tools:
              - name: t
                description: \(description)
                method: \(method)
                path: \(path)
            \(toolLines)
            """
    }

    /// A connector whose tools are GET tools at `/<tool>`.
    public static func tools(
        _ connector: String, _ tools: [String], baseURL: String? = nil, description: (String) -> String = { "The \($0) tool." }
    ) -> String {
        var text = "connector: \(connector)\nbase_url: \(baseURL ?? "https://\(connector).example")\ntools:\n"
        for tool in tools { text += "  - name: \(tool)\n    description: \(description(tool))\n    path: /\(tool)\n" }
        return text
    }
}

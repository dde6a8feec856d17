import GatehouseJSON

/// The generated connector file: header comments, connector keys, then each
/// tool with a comment naming the operation it came from and what of it was
/// left out.
struct ConnectorFile: Sendable {
    enum Entry: Sendable {
        case tool(ToolDraft)
        case skipped(origin: String, reason: String)
    }

    /// Comment lines for the top of the file, without the `# `.
    var header: [String]
    var name: String
    var description: String?
    var baseURL: String
    var entries: [Entry]
}

/// Writes a ``ConnectorFile`` as YAML.
struct ConnectorWriter: Sendable {
    var emitter = YAMLEmitter()
    /// Comments are wrapped to this many characters after the `#`.
    var commentWidth = 96
    /// How far past the emitter's width an aligned one-line parameter may go.
    var alignedSlack = 20

    func render(_ file: ConnectorFile) -> String {
        layout(file).text
    }

    /// The file's lines, and which lines each entry took: a problem the
    /// decoder reports at a line names the tool to leave out.
    struct Layout {
        var lines: [String]
        /// Per entry of the file, its lines (0-based), comments included.
        var entryLines: [Range<Int>]

        var text: String { lines.joined(separator: "\n") + "\n" }

        /// The entry at a 1-based line, if the line belongs to one.
        func entry(atLine line: Int) -> Int? {
            entryLines.firstIndex { $0.contains(line - 1) }
        }
    }

    func layout(_ file: ConnectorFile) -> Layout {
        var lines = file.header.map { $0.isEmpty ? "#" : "# \($0)" }
        lines += emitter.entry("connector", .string(file.name), indent: 0)
        if let description = file.description { lines += emitter.entry("description", .string(description), indent: 0) }
        lines += emitter.entry("base_url", .string(file.baseURL), indent: 0)
        lines.append("tools:")
        var entryLines: [Range<Int>] = []
        entryLines.reserveCapacity(file.entries.count)
        for (index, entry) in file.entries.enumerated() {
            if index > 0 { lines.append("") }
            let start = lines.count
            switch entry {
            case .tool(let tool):
                lines.append("  # \(Text.oneLine(tool.origin))")
                for note in tool.notes { lines += comment("- \(note)", indent: 2, hanging: 2) }
                lines += self.tool(tool)
            case .skipped(let origin, let reason):
                lines += comment("Skipped \(origin): \(reason)", indent: 2, hanging: 2)
            }
            entryLines.append(start..<lines.count)
        }
        return Layout(lines: lines, entryLines: entryLines)
    }

    /// One tool as a list item.
    func tool(_ tool: ToolDraft) -> [String] {
        var lines: [String] = []
        for (key, value) in tool.entry {
            var member: [String]
            switch (key, value) {
            case ("parameters", .object(let parameters)):
                member = ["    parameters:"] + self.parameters(parameters, indent: 6)
            case ("body", .object(let fields)) where !fields.isEmpty:
                member = ["    body:"] + fields.flatMap { emitter.entry($0.key, $0.value, indent: 6) }
            default:
                member = emitter.entry(key, value, indent: 4)
            }
            if lines.isEmpty { member[0] = "  - " + member[0].dropFirst(4) }
            lines += member
        }
        return lines
    }

    /// Parameters one per line where they fit, their values aligned.
    func parameters(_ parameters: JSONObject, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let keys = parameters.keys.map { YAMLScalar.render($0, in: .block) + ":" }
        let width = keys.map(\.count).max() ?? 0
        var lines: [String] = []
        for ((name, value), key) in zip(parameters, keys) {
            // Aligned lines may run a little past the emitter's width: a
            // parameter split over several lines reads worse.
            if let flow = emitter.flow(value, limit: emitter.flowWidth + alignedSlack - indent - width - 1) {
                lines.append(pad + key + String(repeating: " ", count: width - key.count + 1) + flow)
            } else {
                lines += emitter.entry(name, value, indent: indent)
            }
        }
        return lines
    }

    private func comment(_ text: String, indent: Int, hanging: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        return Text.wrap(text, width: commentWidth - indent).enumerated().map { index, line in
            index == 0 ? "\(pad)# \(line)" : "\(pad)# \(String(repeating: " ", count: hanging))\(line)"
        }
    }
}

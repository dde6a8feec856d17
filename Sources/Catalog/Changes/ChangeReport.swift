/// Tool changes as Markdown, for a pull request or a terminal.
public enum ChangeReport {
    public static func markdown(_ changes: [ToolChange], old: String, new: String) -> String {
        let count = { (kind: ToolChange.Kind) in changes.filter { $0.kind == kind }.count }
        var lines = ["## Tool changes: \(old) → \(new)", ""]
        guard !changes.isEmpty else { return (lines + ["No tool changed.", ""]).joined(separator: "\n") }
        lines.append("\(count(.added)) added, \(count(.changed)) changed, \(count(.removed)) removed.")
        lines.append("")
        for change in changes {
            switch change.kind {
            case .added:
                lines.append("- **added** `\(change.tool)` (\(change.connector)) \(change.fingerprintAfter ?? "")")
            case .removed:
                lines.append("- **removed** `\(change.tool)` (\(change.connector))")
            case .changed:
                lines.append(
                    "- **changed** `\(change.tool)` (\(change.connector)) \(change.fingerprintBefore ?? "") → \(change.fingerprintAfter ?? "")")
                for field in change.fields {
                    lines.append("  - `\(field.name)`: \(field.summary.replacingOccurrences(of: "\n", with: " "))")
                }
            }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

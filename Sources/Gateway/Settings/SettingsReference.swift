import Foundation

/// Every setting, and the two texts made from them: the variable list of
/// `gatehouse serve --help` and the table in `docs/settings.md`.
public enum SettingsReference {
    public static let all: [SettingDeclaration] =
        SettingDeclaration.server + SettingDeclaration.connections + SettingDeclaration.folder + SettingDeclaration.logging
        + SettingDeclaration.protocolOptions + SettingDeclaration.oauth + SettingDeclaration.authorizationServer
        + SettingDeclaration.linking + SettingDeclaration.console

    /// The discussion of `gatehouse serve --help`.
    public static var help: String {
        "Every option can also be set with its environment variable:\n" + all.map(\.helpLine).joined(separator: "\n")
    }

    /// `docs/settings.md`; regenerate it with `gatehouse settings --markdown > docs/settings.md`.
    public static var markdown: String {
        var lines = [
            "# Settings",
            "",
            "<!-- Generated from Sources/Gateway/Settings by `gatehouse settings --markdown > docs/settings.md`; do not edit. -->",
            "",
            "Every setting is an environment variable. `gatehouse serve` also takes `--host`, `--port`, `--connectors`,",
            "`--public-url`, `--log-level` and `--allowed-origins`, which win over the variables. Secrets are never",
            "printed; each `…_SECRET` can instead be read from a file named by its `…_FILE` variable.",
        ]
        for area in SettingDeclaration.Area.allCases {
            lines += ["", "## \(area.rawValue)", "", "| Variable | Default | Secret | Description |", "| --- | --- | --- | --- |"]
            for setting in all where setting.area == area {
                let value = setting.defaultValue.map { "`\($0)`" } ?? "unset"
                let cells = ["`\(setting.variable)`", value, setting.isSecret ? "yes" : "no", setting.summary]
                lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import Configuration
import Foundation

/// One setting as an operator sees it, declared once: its key, the
/// environment variable derived from it, its default, the numbers it
/// accepts, whether it is a secret, and one line saying what it is for.
///
/// Reading (``GatewaySettings``), `gatehouse serve --help` and
/// `docs/settings.md` all come from these declarations, so a new setting
/// is written in one place.
public struct SettingDeclaration: Sendable, Equatable {
    /// Where a setting is documented; the order is the order of `docs/settings.md`.
    public enum Area: String, Sendable, CaseIterable {
        case server = "Server"
        case connections = "Connections and limits"
        case folder = "Connector folder and reload"
        case logging = "Logging and shutdown"
        case protocolOptions = "Protocol"
        case auth = "OAuth"
        case authorizationServer = "Built-in authorization server"
        case linking = "Acting as the user"
        case console = "Operator console"
    }

    /// The swift-configuration key, e.g. `gatehouse.public.url`.
    public let key: String
    public let area: Area
    /// The default as documented; nil when unset by default.
    public let defaultValue: String?
    /// The whole numbers accepted, for numeric settings.
    public let range: ClosedRange<Int>?
    /// Never printed; read with `isSecret` so the configuration library
    /// redacts it too.
    public let isSecret: Bool
    public let summary: String

    init(
        _ key: String, _ area: Area, default defaultValue: String? = nil, range: ClosedRange<Int>? = nil,
        secret isSecret: Bool = false, _ summary: String
    ) {
        (self.key, self.area, self.defaultValue) = (key, area, defaultValue)
        (self.range, self.isSecret, self.summary) = (range, isSecret, summary)
    }

    /// `gatehouse.public.url` is `GATEHOUSE_PUBLIC_URL`, as swift-configuration's
    /// environment provider maps it.
    public var variable: String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    public var configKey: ConfigKey { ConfigKey(key) }

    /// The numeric default, for settings whose documented default is a number.
    var intDefault: Int {
        guard let defaultValue, let number = Int(defaultValue) else { preconditionFailure("\(key) has no numeric default") }
        return number
    }

    /// The line `gatehouse serve --help` shows.
    public var helpLine: String {
        "  \(variable): \(summary)" + (defaultValue.map { " (default: \($0))" } ?? "")
    }

    /// The help of the command-line flag that sets it too.
    public var flagHelp: String {
        summary.prefix(1).uppercased() + summary.dropFirst() + " (\(variable))."
    }
}

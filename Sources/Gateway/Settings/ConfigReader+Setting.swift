import Configuration
import Foundation

/// Reading a declared setting: its key, its default and its range come from
/// the declaration; only the error text is the caller's, since operators
/// and tests know each by heart.
extension ConfigReader {
    typealias Invalid = GatewaySettings.Invalid

    /// A number in the declared range, the declared default when unset.
    func int(_ setting: SettingDeclaration, default value: Int? = nil, outOfRange message: (Int) -> String) throws -> Int {
        let number = self.int(forKey: setting.configKey, default: value ?? setting.intDefault)
        guard setting.range?.contains(number) ?? true else { throw Invalid(description: message(number)) }
        return number
    }

    /// A number in the declared range, nil when unset.
    func optionalInt(_ setting: SettingDeclaration, outOfRange message: (Int) -> String) throws -> Int? {
        guard let number = self.int(forKey: setting.configKey) else { return nil }
        guard setting.range?.contains(number) ?? true else { throw Invalid(description: message(number)) }
        return number
    }

    /// A whole number of seconds in the declared range.
    func seconds(_ setting: SettingDeclaration, name: String) throws -> Int {
        try int(setting) { _ in
            "\(name) must be between \(setting.range!.lowerBound) and \(setting.range!.upperBound) seconds"
        }
    }

    /// A yes-or-no setting; anything but `true` or `false` is an error
    /// rather than a silent default.
    func flag(_ setting: SettingDeclaration) throws -> Bool {
        let value = setting.defaultValue == "true"
        guard let text = self.string(forKey: setting.configKey) else { return self.bool(forKey: setting.configKey, default: value) }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Invalid(description: "\(setting.variable) must be true or false, not '\(text)'")
        }
    }

    /// A secret given directly (`KEY`) or in a file (`KEY.file`, the way
    /// container secrets arrive); nil when neither is set.
    func secret(_ setting: SettingDeclaration) throws -> String? {
        if let value = self.string(forKey: setting.configKey, isSecret: true) { return value }
        guard let file = self.string(forKey: ConfigKey(setting.key + ".file")) else { return nil }
        do {
            return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw Invalid(description: "cannot read \(file): \(error.localizedDescription)")
        }
    }
}

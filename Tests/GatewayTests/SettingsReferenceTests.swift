import Foundation
import Testing

@testable import Gateway

@Suite("Settings declared once")
struct SettingsReferenceTests {
    @Test func docsMatchTheDeclarations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/settings.md"), encoding: .utf8)
        #expect(
            docs == SettingsReference.markdown,
            "docs/settings.md is out of date; regenerate it with `swift run gatehouse settings --markdown > docs/settings.md`")
    }

    @Test func everySettingIsDeclaredOnce() {
        let keys = SettingsReference.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.hasPrefix("gatehouse.") })
    }

    @Test func helpListsEveryVariable() {
        let help = SettingsReference.help
        for setting in SettingsReference.all {
            #expect(help.contains("  \(setting.variable): "), "\(setting.variable) is missing from --help")
        }
    }

    @Test func declaredDefaultsAreTheStructDefaults() throws {
        let settings = GatewaySettings()
        #expect(settings.host == SettingDeclaration.host.defaultValue)
        #expect(settings.port == SettingDeclaration.port.intDefault)
        #expect(settings.connectorsPath == SettingDeclaration.connectors.defaultValue)
        #expect(settings.maxBodyBytes == SettingDeclaration.maxBodyBytes.intDefault)
        #expect(settings.pageSize == SettingDeclaration.pageSize.intDefault)
        #expect(settings.listTTLMilliseconds == SettingDeclaration.listTTL.intDefault)
        #expect(settings.watchMode.rawValue == SettingDeclaration.watch.defaultValue)
        #expect(settings.logFormat.rawValue == SettingDeclaration.logFormat.defaultValue)
        #expect(settings.shutdownGrace == .seconds(SettingDeclaration.shutdownGrace.intDefault))
        #expect(settings.pollInterval == .milliseconds(SettingDeclaration.pollInterval.intDefault))
        #expect(settings.reloadDebounce == .milliseconds(SettingDeclaration.reloadDebounce.intDefault))
        #expect(settings.keepAliveInterval == .seconds(SettingDeclaration.keepAlive.intDefault))
    }
}

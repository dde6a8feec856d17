import ConnectorModel
import Foundation
import Testing

@testable import Catalog

private func folder() throws -> String {
    let path = NSTemporaryDirectory() + "gatehouse-folder-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private let good = """
    connector: c
    base_url: https://api.example.com
    tools:
      - name: t
        description: A tool.
        path: /x
    """

@Suite("Reading the connector folder")
struct ConnectorFolderTests {
    @Test func linksOutOfTheFolderAreRefusedWithoutBeingRead() throws {
        let root = try folder()
        let outside = try folder()
        try "password: hunter2\n".write(toFile: outside + "/secret.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/stolen.yaml", withDestinationPath: outside + "/secret.yaml")
        try FileManager.default.createSymbolicLink(atPath: root + "/parent.yaml", withDestinationPath: "../" + (outside as NSString).lastPathComponent + "/secret.yaml")
        let sources = try ConnectorFolder(path: root).read()
        #expect(sources.count == 2)
        for source in sources {
            #expect(source.text == nil)
            #expect(source.problem == "refused: a link to a file outside the connector folder")
        }
    }

    @Test func configMapLinksInsideTheFolderAreFollowed() throws {
        let root = try folder()
        try FileManager.default.createDirectory(atPath: root + "/..2026_01_01", withIntermediateDirectories: true)
        try good.write(toFile: root + "/..2026_01_01/c.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/..data", withDestinationPath: "..2026_01_01")
        try FileManager.default.createSymbolicLink(atPath: root + "/c.yaml", withDestinationPath: "..data/c.yaml")
        let result = try CatalogLoader().load(directory: root)
        #expect(result.diagnostics.isEmpty)
        #expect(result.catalog.tools.count == 1)
    }

    @Test func aFileOverTheLimitIsAProblemAndItsLastGoodVersionKeepsServing() throws {
        let root = try folder()
        try good.write(toFile: root + "/c.yaml", atomically: true, encoding: .utf8)
        let loader = CatalogLoader(limits: LoadLimits(maxFileBytes: 1024, maxFolderBytes: 4096))
        let first = try loader.load(directory: root)
        #expect(first.catalog.tools.count == 1)
        try (good + "\n# " + String(repeating: "x", count: 2000) + "\n").write(toFile: root + "/c.yaml", atomically: true, encoding: .utf8)
        let second = try loader.load(directory: root, previous: first.records, generation: 2)
        #expect(second.catalog.tools.count == 1, "the last good version keeps serving")
        #expect(second.diagnostics.map(\.message) == ["file is larger than 1024 bytes (GATEHOUSE_MAX_CONNECTOR_FILE_BYTES); not read"])
    }

    @Test func theFolderAsAWholeIsLimited() throws {
        let root = try folder()
        for name in ["a", "b", "c"] {
            try good.replacingOccurrences(of: "connector: c", with: "connector: \(name)")
                .replacingOccurrences(of: "name: t", with: "name: t_\(name)")
                .write(toFile: root + "/\(name).yaml", atomically: true, encoding: .utf8)
        }
        let size = try #require(FileManager.default.attributesOfItem(atPath: root + "/a.yaml")[.size] as? Int)
        let result = try CatalogLoader(limits: LoadLimits(maxFileBytes: 1024, maxFolderBytes: size * 2 + 10)).load(directory: root)
        #expect(result.catalog.tools.count == 2)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.file.hasSuffix("c.yaml") == true)
        #expect(result.diagnostics.first?.message.contains("GATEHOUSE_MAX_CONNECTORS_BYTES") == true)
    }

    @Test func binaryFilesAreNotQuoted() throws {
        let root = try folder()
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: root + "/bin.yaml"))
        let result = try CatalogLoader().load(directory: root)
        #expect(result.diagnostics.map(\.message) == ["file is not valid UTF-8 text"])
    }
}

@Suite("Problem texts do not leak file contents")
struct DiagnosticContainmentTests {
    @Test func quotedPiecesAreCutAndControlCharactersEscaped() {
        let long = String(repeating: "k", count: 500)
        let diagnostic = Diagnostic(file: "f.yaml", line: 1, column: 1, message: "unknown key '\(long)\u{1B}[31m' in the connector file")
        #expect(diagnostic.message.count < 120)
        #expect(!diagnostic.message.contains("\u{1B}"))
        #expect(diagnostic.message.hasSuffix("…' in the connector file"))
    }

    @Test func messagesAreBounded() {
        let diagnostic = Diagnostic(file: "f.yaml", line: 1, column: 1, message: String(repeating: "word ", count: 500))
        #expect(diagnostic.message.count <= Diagnostic.maxMessageCharacters)
    }

    @Test func aFileFullOfStrangeKeysListsAFewProblemsNotItsContents() {
        var text = ""
        for i in 0..<300 { text += "line\(i)_\(String(repeating: "z", count: 90)): secret-value-\(i)\n" }
        let result = ConnectorDecoder().decode(yaml: text, file: "stray.yaml")
        // 300 unknown keys and the three required keys that are missing.
        #expect(result.diagnostics.count == ConnectorDecoder.maxDiagnostics + 1)
        #expect(result.diagnostics.last?.message == "253 more problems not shown")
        #expect(!result.diagnostics.contains { $0.message.contains("secret-value") })
    }
}

@Suite("Problem texts keep their own words")
struct DiagnosticApostropheTests {
    @Test func apostrophesAreNotQuotes() {
        let message = "input_schema's $schema must be https://json-schema.org/draft/2020-12/schema, the dialect arguments are validated with"
        #expect(Diagnostic(file: "f", line: 1, column: 1, message: message).message == message)
        let quoted = "tool '\(String(repeating: "q", count: 100))' isn't valid"
        #expect(Diagnostic(file: "f", line: 1, column: 1, message: quoted).message == "tool '\(String(repeating: "q", count: 63))…' isn't valid")
    }
}

@Suite("Folder checks that cannot be raced")
struct FolderRaceTests {
    @Test func theOpenedFileIsCheckedAgainstTheFolder() throws {
        let root = NSTemporaryDirectory() + "gatehouse-race-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let outside = NSTemporaryDirectory() + "gatehouse-race-outside-" + UUID().uuidString + ".yaml"
        try "secret: x\n".write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/swapped.yaml", withDestinationPath: outside)
        // As if the link had been swapped in after the folder was listed.
        let realRoot = try #require(ConnectorFolder.realPath(root))
        guard case .outside = ConnectorFolder.read(root + "/swapped.yaml", maxBytes: 1 << 20, within: realRoot) else {
            Issue.record("a file outside the folder was read")
            return
        }
    }

    @Test func aJustModifiedFolderIsNotTrustedToBeUnchanged() throws {
        let root = NSTemporaryDirectory() + "gatehouse-settle-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "connector: c\n".write(toFile: root + "/c.yaml", atomically: true, encoding: .utf8)
        #expect(!FolderFingerprint.of(root).isSettled, "an edit in the same clock tick would look the same")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(FolderFingerprint.of(root).isSettled)
    }
}

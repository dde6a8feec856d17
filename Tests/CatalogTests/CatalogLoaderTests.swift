import ConnectorModel
import Foundation
import GatehouseJSON
import Testing

@testable import Catalog

// MARK: - Helpers

/// Secrets from a dictionary, so no test depends on the process environment.
private struct FixedSecrets: SecretSource {
    struct Missing: Error {}
    var environment: [String: String] = [:]
    func environmentValue(_ name: String) -> String? { environment[name] }
    func fileContents(_ path: String) throws -> String { throw Missing() }
}

private let loader = CatalogLoader(decoder: ConnectorDecoder(secrets: FixedSecrets(environment: ["TOKEN": "t0k"])))

/// A connector file whose tools are GET tools at `/<name>`.
private func connectorText(_ name: String, tools: [String], baseURL: String = "https://a.example") -> String {
    var text = "connector: \(name)\nbase_url: \(baseURL)\ntools:\n"
    for tool in tools {
        text += "  - name: \(tool)\n    description: The \(tool) tool.\n    path: /\(tool)\n"
    }
    return text
}

private func makeTemporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "gatehouse-catalog-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private var samplesFolder: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("connectors.d").path
}

// MARK: - assemble

@Test func toolsAreSortedByNameAcrossFiles() {
    let result = loader.assemble([
        ("b.yaml", connectorText("beta", tools: ["zeta", "alpha"])),
        ("a.yaml", connectorText("alpha", tools: ["mid", "Upper"])),
    ])
    #expect(result.diagnostics.isEmpty)
    #expect(result.catalog.tools.map(\.name) == ["Upper", "alpha", "mid", "zeta"])
    #expect(result.files == ["b.yaml", "a.yaml"])
    #expect(
        result.catalog.connectors == [
            ConnectorSummary(name: "beta", file: "b.yaml", toolCount: 2),
            ConnectorSummary(name: "alpha", file: "a.yaml", toolCount: 2),
        ])
    #expect(result.catalog.tool(named: "zeta")?.target.connector == "beta")
    #expect(result.catalog.tool(named: "mid")?.target.connector == "alpha")
}

@Test func duplicateToolAcrossFilesRejectsTheLaterFile() {
    let result = loader.assemble([
        ("conf/first.yaml", connectorText("one", tools: ["shared", "only_first"])),
        ("conf/second.yaml", connectorText("two", tools: ["only_second", "shared"])),
    ])
    #expect(
        result.diagnostics.map(\.description) == [
            "conf/second.yaml:7:11: tool name 'shared' is already defined at conf/first.yaml:4:11"
        ])
    #expect(result.catalog.tools.map(\.name) == ["only_first", "shared"])
    #expect(result.catalog.tool(named: "shared")?.target.connector == "one")
    #expect(result.catalog.tool(named: "only_second") == nil, "a file with a conflict contributes no tools")
    #expect(result.catalog.connectors.map(\.name) == ["one"])
}

@Test func orderGivenDecidesWhichFileLoses() {
    let result = loader.assemble([
        ("z.yaml", connectorText("zed", tools: ["shared"])),
        ("a.yaml", connectorText("ay", tools: ["shared"])),
    ])
    #expect(result.diagnostics.map(\.description) == ["a.yaml:4:11: tool name 'shared' is already defined at z.yaml:4:11"])
    #expect(result.catalog.tool(named: "shared")?.target.connector == "zed")
}

@Test func duplicateConnectorNameAcrossFiles() {
    let result = loader.assemble([
        ("a.yaml", connectorText("same", tools: ["t1"])),
        ("b.yaml", connectorText("same", tools: ["t2"])),
    ])
    #expect(result.diagnostics.map(\.description) == ["b.yaml:1:1: connector name 'same' is already used by a.yaml"])
    #expect(result.catalog.tools.map(\.name) == ["t1"])
}

@Test func unreadableFileIsReportedAndOthersStillLoad() {
    let result = loader.assemble([
        ("a.yaml", nil),
        ("b.yaml", connectorText("b", tools: ["t"])),
    ])
    #expect(result.diagnostics.map(\.description) == ["a.yaml:1:1: cannot read file"])
    #expect(result.catalog.tools.map(\.name) == ["t"])
    #expect(result.files == ["a.yaml", "b.yaml"])
}

@Test func fileWithErrorsContributesNoToolsButOthersLoad() {
    let broken = "connector: broken\nbase_url: https://a.example\ntools:\n  - name: ok\n    description: d\n    path: /a\n  - name: bad one\n    description: d\n    path: /b\n"
    let result = loader.assemble([
        ("broken.yaml", broken),
        ("good.yaml", connectorText("good", tools: ["g"])),
    ])
    #expect(
        result.diagnostics.map(\.description) == [
            "broken.yaml:7:11: tool name 'bad one' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'"
        ])
    #expect(result.catalog.tools.map(\.name) == ["g"])
    #expect(result.catalog.connectors.map(\.name) == ["good"])
}

@Test func generationIsPassedThrough() {
    let result = loader.assemble([("a.yaml", connectorText("a", tools: ["t"]))], generation: 42)
    #expect(result.catalog.generation == 42)
    #expect(Catalog.empty.generation == 0)
    #expect(Catalog.empty.tools.isEmpty)
}

@Test func secretsResolveThroughTheLoadersDecoder() {
    let text = "connector: s\nbase_url: https://a.example\nauth:\n  bearer: ${env:TOKEN}\ntools:\n  - { name: t, description: d, path: /a }\n"
    let result = loader.assemble([("s.yaml", text)])
    #expect(result.diagnostics.isEmpty)
    #expect(result.catalog.tool(named: "t")?.target.auth == .bearer(token: "t0k"))
}

// MARK: - Catalog lookups and descriptors

@Test func toolNamedFindsEveryToolAndNothingElse() {
    let result = loader.assemble([("a.yaml", connectorText("a", tools: ["c", "a", "b"]))])
    let catalog = result.catalog
    for name in ["a", "b", "c"] {
        #expect(catalog.tool(named: name)?.name == name)
    }
    #expect(catalog.tool(named: "d") == nil)
    #expect(catalog.tool(named: "") == nil)
    #expect(catalog.descriptors.count == 3)
}

@Test func descriptorsAreTheMCPToolObjects() throws {
    let text = """
        connector: tickets
        base_url: https://a.example
        tools:
          - name: get_ticket
            title: Get ticket
            description: Fetch one ticket.
            path: /tickets/{id}
            parameters:
              id: integer
              verbose: { type: boolean, default: false }
          - name: create_ticket
            description: Create a ticket.
            method: POST
            path: /tickets
            parameters:
              title: { type: string, required: true }
            response:
              output_schema: { type: object, properties: { id: { type: integer } } }
              schema_mismatch: strict
          - name: lenient_ticket
            description: A lenient tool checks its schema but does not declare it.
            path: /tickets/lenient
            response:
              output_schema: { type: object, properties: { id: { type: integer } } }
        """
    let result = loader.assemble([("t.yaml", text)])
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let catalog = result.catalog
    #expect(catalog.tools.map(\.name) == ["create_ticket", "get_ticket", "lenient_ticket"])
    #expect(try JSONParser.parse(catalog.descriptors[2])["outputSchema"] == nil)

    let get = try JSONParser.parse(catalog.descriptors[1])
    #expect(get["name"] == "get_ticket")
    #expect(get["title"] == "Get ticket")
    #expect(get["description"] == "Fetch one ticket.")
    #expect(
        get["inputSchema"]
            == [
                "type": "object",
                "properties": ["id": ["type": "integer"], "verbose": ["type": "boolean", "default": false]],
                "required": ["id"],
                "additionalProperties": false,
            ])
    #expect(get["annotations"] == ["readOnlyHint": true])
    #expect(get["outputSchema"] == nil)
    #expect(get.objectValue.map { Array($0.keys) } == ["name", "title", "description", "inputSchema", "annotations", "_meta"])
    #expect(get["_meta"]?["dev.gatehouse/fingerprint"]?.stringValue?.hasPrefix("sha256:") == true)

    let create = try JSONParser.parse(catalog.descriptors[0])
    #expect(create["name"] == "create_ticket")
    #expect(create["title"] == nil)
    #expect(create["inputSchema"]?["required"] == ["title"])
    #expect(create["outputSchema"] == ["type": "object", "properties": ["id": ["type": "integer"]]])
    #expect(create["annotations"] == ["readOnlyHint": false, "destructiveHint": false, "idempotentHint": false])
    #expect(catalog.tool(named: "create_ticket")?.descriptor == catalog.descriptors[0])
}

@Test func catalogStoreSwapsSnapshots() {
    let store = CatalogStore()
    #expect(store.catalog.generation == 0)
    let next = loader.assemble([("a.yaml", connectorText("a", tools: ["t"]))], generation: 7).catalog
    let held = store.catalog
    store.replace(with: next)
    #expect(store.catalog.generation == 7)
    #expect(store.catalog.tool(named: "t") != nil)
    #expect(held.tools.isEmpty, "a snapshot taken before the swap is unchanged")
}

// MARK: - Folders

@Test func connectorFilesSkipsHiddenAndNonYAMLAndSorts() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let manager = FileManager.default
    for name in ["b.yaml", "a.yml", "c.yaml", ".hidden.yaml", "notes.txt", "README.md", "d.yaml.bak"] {
        #expect(manager.createFile(atPath: folder + "/" + name, contents: Data("x".utf8)))
    }
    try manager.createDirectory(atPath: folder + "/..data", withIntermediateDirectories: true)
    #expect(manager.createFile(atPath: folder + "/..data/inner.yaml", contents: Data("x".utf8)))
    try manager.createDirectory(atPath: folder + "/.git", withIntermediateDirectories: true)

    let files = try CatalogLoader.connectorFiles(in: folder)
    #expect(files == [folder + "/a.yml", folder + "/b.yaml", folder + "/c.yaml"])
    #expect(try CatalogLoader.connectorFiles(in: folder + "/") == files)
}

@Test func connectorFilesOfASingleFileAndOfAMissingFolder() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let file = folder + "/only.yaml"
    #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
    #expect(try CatalogLoader.connectorFiles(in: file) == [file])
    #expect(throws: CatalogLoader.FolderError.self) { try CatalogLoader.connectorFiles(in: folder + "/missing") }
    do {
        _ = try CatalogLoader.connectorFiles(in: folder + "/missing")
    } catch let error as CatalogLoader.FolderError {
        #expect(error.description == folder + "/missing: no such folder")
    }
}

@Test func loadReadsAFolderFromDisk() throws {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try connectorText("two", tools: ["b_tool"]).write(toFile: folder + "/2.yaml", atomically: true, encoding: .utf8)
    try connectorText("one", tools: ["a_tool", "b_tool"]).write(toFile: folder + "/1.yaml", atomically: true, encoding: .utf8)
    let result = try loader.load(directory: folder, generation: 3)
    #expect(result.files == [folder + "/1.yaml", folder + "/2.yaml"])
    #expect(
        result.diagnostics.map(\.description) == [
            "\(folder)/2.yaml:4:11: tool name 'b_tool' is already defined at \(folder)/1.yaml:7:11"
        ])
    #expect(result.catalog.tools.map(\.name) == ["a_tool", "b_tool"])
    #expect(result.catalog.generation == 3)
}

@Test func sampleConnectorsLoadWithoutDiagnostics() throws {
    let result = try CatalogLoader().load(directory: samplesFolder)
    #expect(result.diagnostics.map(\.description) == [])
    #expect(result.files.map { ($0 as NSString).lastPathComponent } == ["places.yaml", "weather.yaml"])
    #expect(result.catalog.tools.map(\.name) == ["find_place", "get_forecast"])
    #expect(result.catalog.connectors.map(\.name) == ["places", "weather"])
    let forecast = try #require(result.catalog.tool(named: "get_forecast"))
    #expect(forecast.target.baseURL.description == "https://api.open-meteo.com/v1")
    #expect(forecast.target.timeout == .seconds(10))
    let descriptor = try JSONParser.parse(forecast.descriptor)
    #expect(descriptor["inputSchema"]?["required"] == ["latitude", "longitude"])
    #expect(descriptor["title"] == "Weather forecast")
}

@Test func theCatalogKnowsWhichClaimsItsPlaceholdersRead() {
    let result = loader.assemble([
        ("people.yaml", """
            connector: people
            base_url: https://people.example
            tools:
              - name: by_path
                description: A claim in the path.
                path: /teams/{user.claims.team}
              - name: by_header_and_query
                description: Claims in a header and in the query.
                path: /me
                headers:
                  X-Tenant: "{{ user.claims.tenant }}"
                query:
                  site: "{{ user.claims.site }}"
              - name: by_body
                description: A claim deep in the body, beside the email.
                method: POST
                path: /audit
                body:
                  who: { email: "{{ user.email }}", roles: ["{{ user.claims.roles }}"] }
            """),
    ])
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    #expect(result.catalog.userClaims == ["team", "tenant", "site", "roles"])
    #expect(Catalog.empty.userClaims.isEmpty)
}

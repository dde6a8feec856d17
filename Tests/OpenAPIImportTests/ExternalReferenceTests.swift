import ConnectorModel
import Foundation
import GatehouseJSON
import Testing

@testable import OpenAPIImport

/// A document split over several files, as DigitalOcean's is: references to
/// other files are read relative to the file that makes them.
@Suite struct ExternalReferenceTests {
    static func folder(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-openapi-\(UUID().uuidString)").path
        for (path, text) in files {
            let full = (root as NSString).appendingPathComponent(path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return root
    }

    static let main = """
        openapi: 3.0.0
        info: { title: Split, version: "1" }
        servers: [{ url: "https://api.example.com/v2" }]
        paths:
          /droplets:
            post:
              $ref: 'resources/droplets/create.yml'
        """

    @Test func relativeReferencesAreReadFromDisk() throws {
        let root = try Self.folder([
            "spec.yaml": Self.main,
            "resources/droplets/create.yml": """
                operationId: droplets_create
                requestBody:
                  required: true
                  content:
                    application/json:
                      schema:
                        $ref: 'models/droplet_create.yml'
                responses:
                  '202': { $ref: '../../shared/responses.yml#/accepted' }
                """,
            "resources/droplets/models/droplet_create.yml": """
                type: object
                required: [name]
                properties:
                  name: { type: string }
                  size: { $ref: '#/definitions/size' }
                definitions:
                  size: { type: string, enum: [s-1vcpu-1gb, s-2vcpu-2gb] }
                """,
            "shared/responses.yml": "accepted: { description: Accepted. }\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = ImportOptions(sourceName: "spec.yaml")
        options.documentDirectory = root
        let result = try OpenAPIImporter(options: options).run(text: Self.main)
        let decoded = ConnectorDecoder().decode(yaml: result.yaml, file: "out.yaml")
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        let tool = try #require(decoded.connector?.tools.first)
        #expect(tool.name == "droplets_create")
        #expect(tool.parameters.first { $0.name == "name" }?.required == true)
        #expect(tool.parameters.first { $0.name == "size" }?.schema["enum"] == ["s-1vcpu-1gb", "s-2vcpu-2gb"])
        #expect(result.notes.map(\.description).contains("document: 4 parts of other files were read: 3 became components, 1 put in place"))
    }

    @Test func withoutItsFolderTheImportSaysWhatToDo() {
        let error = importError(Self.main)
        #expect(error?.message == "the document refers to the file 'resources/droplets/create.yml'; import it from its file so the reference can be read, or bundle it into one file first")
    }

    @Test func aMissingFileOrARemoteReferenceIsNamed() throws {
        let root = try Self.folder(["spec.yaml": Self.main])
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = ImportOptions(sourceName: "spec.yaml")
        options.documentDirectory = root
        #expect(throws: ImportError.self) { try OpenAPIImporter(options: options).run(text: Self.main) }
        do {
            _ = try OpenAPIImporter(options: options).run(text: Self.main)
        } catch {
            #expect(error.message.hasPrefix("the document refers to 'resources/droplets/create.yml', which cannot be read at "))
        }
        let remote = Self.main.replacingOccurrences(of: "resources/droplets/create.yml", with: "https://example.com/op.yml")
        do {
            _ = try OpenAPIImporter(options: options).run(text: remote)
            Issue.record("a remote reference was accepted")
        } catch {
            #expect(error.message.contains("on the network; bundle it into one file first"))
        }
    }
}

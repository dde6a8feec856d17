import ArgumentParser
import Foundation
import OpenAPIImport

struct ImportOpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-openapi",
        abstract: "Generate a connector file from an OpenAPI 3.0, 3.1 or 3.2 document (JSON or YAML).",
        discussion: """
            Each operation becomes a tool. Filters pick operations by KIND:PATTERN, where KIND is \
            op (operationId), tag, path or method, and * and ? are wildcards; an operation is kept when it \
            matches some --include (or none is given) and no --exclude:

              gatehouse import-openapi api.yaml --include tag:pets --exclude op:deletePet
              gatehouse import-openapi api.json --include 'path:/pets/*' -o pets.yaml

            What cannot be expressed (cookie parameters, non-JSON bodies, …) is skipped with a warning \
            and a comment in the file.
            """
    )

    @Argument(help: "The OpenAPI document.") var document: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the connector file (default: standard output).", valueName: "file"))
    var output: String?
    @Option(name: .long, help: "The connector's name (default: derived from the document's title).") var name: String?
    @Option(name: .long, help: ArgumentHelp("The API's base URL (default: the document's first server).", valueName: "url"))
    var baseURL: String?
    @Option(name: .long, help: ArgumentHelp("Import only operations matching this (repeatable).", valueName: "KIND:PATTERN"))
    var include: [String] = []
    @Option(name: .long, help: ArgumentHelp("Leave out operations matching this (repeatable).", valueName: "KIND:PATTERN"))
    var exclude: [String] = []
    @Option(name: .long, help: ArgumentHelp("Put this before every tool name, such as github_ (default: none).", valueName: "prefix"))
    var toolPrefix: String?

    func run() throws {
        let filter: OperationFilter
        do { filter = try OperationFilter(including: include, excluding: exclude) } catch { throw failure(error.message) }
        let text: String
        do {
            text = try String(contentsOfFile: document, encoding: .utf8)
        } catch {
            throw failure("cannot read \(document): \(error.localizedDescription)")
        }
        var options = ImportOptions(connectorName: name, baseURL: baseURL, filter: filter, sourceName: (document as NSString).lastPathComponent)
        options.toolPrefix = toolPrefix ?? ""
        options.documentDirectory = (document as NSString).deletingLastPathComponent.isEmpty
            ? FileManager.default.currentDirectoryPath : (document as NSString).deletingLastPathComponent
        let importer = OpenAPIImporter(options: options)
        let result: ImportResult
        do { result = try importer.run(text: text) } catch { throw failure(error.message) }
        for note in result.notes { printError("warning: \(note)") }
        if let output {
            do {
                try result.yaml.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw failure("cannot write \(output): \(error.localizedDescription)")
            }
            printError(
                "wrote \(output): \(result.toolCount) tool\(result.toolCount == 1 ? "" : "s")"
                    + (result.skippedCount > 0 ? ", \(result.skippedCount) operation\(result.skippedCount == 1 ? "" : "s") skipped" : ""))
        } else {
            print(result.yaml, terminator: "")
        }
    }

    /// Bad input is exit status 1 with one line saying what is wrong.
    private func failure(_ message: String) -> ExitCode {
        printError("error: \(message)")
        return ExitCode.failure
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

import ArgumentParser
import Catalog
import ConnectorModel
import Foundation

/// Reads a connector folder only to describe its tools: secrets the
/// machine does not have read as stand-ins (fingerprints use the
/// references, not the values, so nothing changes).
func describeFolder(_ path: String) throws -> CatalogLoader.Result {
    try CatalogLoader(decoder: ConnectorDecoder(secrets: StandInSecretSource())).load(directory: path)
}

struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write connectors.lock: every tool's fingerprint, for review and to serve only reviewed tools."
    )

    @Argument(help: "The connector folder.") var folder: String = "connectors.d"

    func run() throws {
        let result: CatalogLoader.Result
        do { result = try describeFolder(folder) } catch { throw ValidationError("\(error)") }
        guard result.diagnostics.isEmpty else {
            for diagnostic in result.diagnostics { print(diagnostic.description) }
            print("\(result.diagnostics.count) problem\(result.diagnostics.count == 1 ? "" : "s") found; fix them before locking")
            throw ExitCode.failure
        }
        let directory = ConnectorFolder(path: folder).folder
        let file = (directory as NSString).appendingPathComponent(ConnectorLock.fileName)
        let previous = (try? String(contentsOfFile: file, encoding: .utf8)).map { ConnectorLock(parsing: $0, file: file) }
        let text = ConnectorLock.render(result.catalog.tools)
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(file): \(error.localizedDescription)")
        }
        let changed = previous.map { $0.staleness(of: result.catalog.tools).count } ?? result.catalog.tools.count
        print("wrote \(file): \(result.catalog.tools.count) tool\(result.catalog.tools.count == 1 ? "" : "s"), \(changed) updated")
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how tools differ between two connector folders or git revisions, for review.",
        discussion: """
            OLD and NEW are folders, or git revisions (main, HEAD~1, a commit) of the folder given by --folder, \
            or REV:PATH. The report is Markdown, one entry per added, removed or changed tool with the fields \
            that changed.
            """
    )

    @Argument(help: "The old folder or git revision.") var old: String
    @Argument(help: "The new folder or git revision.") var new: String = "."
    @Option(help: "The connector folder inside the repository, for revisions.") var folder: String = "connectors.d"
    @Flag(help: "Exit 1 when tools differ, like git diff --exit-code.") var exitCode = false

    func run() throws {
        let oldTools = try tools(at: old)
        let newTools = try tools(at: new == "." ? folder : new)
        let changes = CatalogChanges.between(oldTools, newTools)
        print(ChangeReport.markdown(changes, old: old, new: new == "." ? folder : new), terminator: "")
        if exitCode, !changes.isEmpty { throw ExitCode.failure }
    }

    func tools(at place: String) throws -> [CatalogTool] {
        if FileManager.default.fileExists(atPath: place) {
            return try load(place)
        }
        let (revision, path) = place.contains(":") ? (String(place.split(separator: ":", maxSplits: 1)[0]), String(place.split(separator: ":", maxSplits: 1)[1])) : (place, folder)
        let checkout = try GitRevisionFolder(revision: revision, path: path)
        defer { checkout.remove() }
        return try load(checkout.directory)
    }

    func load(_ path: String) throws -> [CatalogTool] {
        let result: CatalogLoader.Result
        do { result = try describeFolder(path) } catch { throw ValidationError("\(error)") }
        for diagnostic in result.diagnostics { FileHandle.standardError.write(Data("warning: \(diagnostic)\n".utf8)) }
        return result.catalog.tools
    }
}

/// The files of a connector folder at a git revision, in a temporary
/// folder, read with `git ls-tree` and `git show` (no work tree changes).
struct GitRevisionFolder {
    let directory: String

    init(revision: String, path: String) throws {
        guard !revision.hasPrefix("-"), !path.hasPrefix("-") else { throw ValidationError("'\(revision)' is not a revision") }
        // `--full-tree`: from a subfolder, ls-tree would otherwise list only
        // what lies below it, and an empty answer would read as "no tools".
        let listing = try Self.git(["ls-tree", "--full-tree", "--name-only", "\(revision):\(path)"])
        let names = String(decoding: listing, as: UTF8.self).split(separator: "\n").map(String.init)
        directory = NSTemporaryDirectory() + "gatehouse-diff-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in names where ConnectorFolder.isWatchedFile(name) {
            let contents = try Self.git(["show", "\(revision):\(path)/\(name)"])
            FileManager.default.createFile(atPath: directory + "/" + name, contents: contents)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func git(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw ValidationError("cannot run git: \(error.localizedDescription)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("git \(arguments.joined(separator: " ")) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return data
    }
}

import Foundation

/// Where `${env:NAME}` and `${file:/path}` references are looked up; a seam so
/// tests can resolve secrets without touching the process environment.
public protocol SecretSource: Sendable {
    func environmentValue(_ name: String) -> String?
    func fileContents(_ path: String) throws -> String
}

/// The real process environment and file system. Files are read every time a
/// connector is decoded, so a rotated Kubernetes secret takes effect on the
/// next reload.
public struct ProcessSecretSource: SecretSource {
    public init() {}

    public func environmentValue(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }

    public func fileContents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}

/// The process's secrets where they are set, and a stand-in where they
/// are not: for reading connector files only to describe them (`gatehouse
/// lock`, `gatehouse diff`), where no request is sent and a review machine
/// need not hold production secrets. Fingerprints never include secret
/// values, so both ways give the same fingerprints.
public struct StandInSecretSource: SecretSource {
    /// What an unset reference reads as.
    public static let standIn = "unresolved"

    public init() {}

    public func environmentValue(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name] ?? Self.standIn
    }

    public func fileContents(_ path: String) throws -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? Self.standIn
    }
}

/// Substitutes secret references in a string value.
struct SecretResolver {
    var source: any SecretSource
    /// Relative `${file:…}` paths are relative to the connector file.
    var baseDirectory: String

    /// Every value a reference resolved to, so answers can be cleaned of them.
    private(set) var resolvedValues: [String] = []

    struct Failure: Error { var message: String }

    mutating func resolve(_ text: String) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw Failure(message: "unclosed '${' in value")
            }
            let reference = rest[open.upperBound..<close]
            if reference.hasPrefix("env:") {
                let name = String(reference.dropFirst(4))
                guard !name.isEmpty else { throw Failure(message: "empty variable name in ${env:}") }
                guard let value = source.environmentValue(name) else {
                    throw Failure(message: "environment variable \(name) is not set (referenced as ${env:\(name)})")
                }
                result += value
                resolvedValues.append(value)
            } else if reference.hasPrefix("file:") {
                var path = String(reference.dropFirst(5))
                guard !path.isEmpty else { throw Failure(message: "empty path in ${file:}") }
                if !path.hasPrefix("/") { path = baseDirectory + "/" + path }
                do {
                    var contents = try source.fileContents(path)
                    while let last = contents.last, last.isNewline { contents.removeLast() }
                    result += contents
                    resolvedValues.append(contents)
                } catch {
                    throw Failure(message: "cannot read secret file \(path) (referenced as ${file:…})")
                }
            } else {
                throw Failure(message: "unknown reference ${\(reference)}: use ${env:NAME} or ${file:/path}")
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }
}

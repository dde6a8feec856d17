import ConnectorModel

/// Secrets from dictionaries, so no test touches the process environment or
/// the disk; an unknown name is missing, as an unset variable would be.
public struct TestSecrets: SecretSource {
    public struct Missing: Error {}
    public var environment: [String: String]
    public var files: [String: String]

    public init(environment: [String: String] = [:], files: [String: String] = [:]) {
        self.environment = environment
        self.files = files
    }

    public func environmentValue(_ name: String) -> String? { environment[name] }

    public func fileContents(_ path: String) throws -> String {
        guard let contents = files[path] else { throw Missing() }
        return contents
    }
}

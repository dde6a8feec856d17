import ConnectorModel

/// The secrets a test file gives, and a stand-in for every other
/// reference. Never the process's own: what a test prints (a request that
/// did not match) must not be able to show a real credential.
struct TestSecretSource: SecretSource {
    let values: [String: String]

    func environmentValue(_ name: String) -> String? {
        values["env:" + name] ?? StandInSecretSource.standIn
    }

    func fileContents(_ path: String) throws -> String {
        values["file:" + path] ?? StandInSecretSource.standIn
    }
}

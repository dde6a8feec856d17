import ArgumentParser
import ConnectorModel
import ConnectorTesting
import Foundation
import Upstream

/// `gatehouse test`: the connector folder's test cases, run offline.
struct Test: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the connector test cases in tests/ beside the connector files, with no network.",
        discussion: """
            Each case calls one tool with given arguments and checks the request it would send \
            and the result it gives for a recorded answer. Prints each case, with a diff when it \
            fails; exits 1 when any case fails. With --record, each case without an inline answer \
            first calls the live API once and saves its answer in tests/fixtures/ (secrets and \
            credential headers replaced). See docs/connector-tests.md.
            """
    )

    @Option(name: .long, help: "The connector folder (or file) the cases call.") var connectors: String = "connectors.d"
    @Argument(help: "Test files to run; all of the folder's tests/*.yaml when none are given.") var files: [String] = []
    @Flag(name: .long, help: "Call the live API once per case and save its answer as the case's fixture.") var record = false
    @Option(name: .long, help: "With --record: a request header whose value is never saved (repeatable).")
    var scrubHeader: [String] = []

    func run() async throws {
        let files = self.files.isEmpty ? ConnectorTestRunner.testFiles(forConnectors: connectors) : self.files
        guard !files.isEmpty else {
            print("no test files: put cases in \(connectors)/tests/*.yaml (see docs/connector-tests.md)")
            throw ExitCode.failure
        }
        let client = record ? HTTPUpstreamClient.makeHTTPClient() : nil
        let recording = client.map { ConnectorTestRunner.Recording(client: HTTPUpstreamClient(client: $0), scrubHeaders: Set(scrubHeader)) }
        let passed = await run(files, recording: recording)
        try? await client?.shutdown()
        if !passed { throw ExitCode.failure }
    }

    /// Runs and prints every file's cases; whether all passed.
    func run(_ files: [String], recording: ConnectorTestRunner.Recording?) async -> Bool {
        let runner = ConnectorTestRunner(connectors: connectors)
        var (passed, failed, problems) = (0, 0, 0)
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                print("\(file):1:1: cannot read the test file")
                problems += 1
                continue
            }
            let decoded = ConnectorTestDecoder().decode(yaml: text, file: file)
            guard let suite = decoded.suite else {
                for diagnostic in decoded.diagnostics { print(diagnostic.description) }
                problems += decoded.diagnostics.count
                continue
            }
            print("== \(file)")
            let report = await runner.run(suite, recording: recording)
            for line in report.recorded { print("  " + line) }
            for diagnostic in report.connectorProblems { print(diagnostic.description) }
            problems += report.connectorProblems.count
            for testCase in report.cases {
                for line in testCase.lines { print(line) }
                if testCase.passed { passed += 1 } else { failed += 1 }
            }
        }
        var summary = "\(passed) passed, \(failed) failed"
        if problems > 0 { summary += ", \(problems) problem\(problems == 1 ? "" : "s") in files" }
        print(summary)
        return failed == 0 && problems == 0
    }
}

import Caller
import Catalog
import ConnectorModel
import Foundation
import GatehouseJSON
import Upstream

/// Runs the test cases of a connector folder with no network: each case's
/// tool is called through the same invoker `gatehouse serve` uses, against
/// an API that replays the case's answer.
///
/// With ``Recording``, each case's call first goes to the live API once
/// and its answer is written as the case's fixture; the cases then run
/// offline as always, so what is printed never holds a real secret.
public struct ConnectorTestRunner: Sendable {
    /// The connector folder (or one connector file) the cases call.
    public var connectors: String

    public struct Recording: Sendable {
        /// The live API's client.
        public var client: any UpstreamClient
        /// Request headers whose values are never written to a fixture,
        /// beside `Authorization`, `Cookie` and API-key headers.
        public var scrubHeaders: Set<String>

        public init(client: any UpstreamClient, scrubHeaders: Set<String> = []) {
            self.client = client
            self.scrubHeaders = scrubHeaders
        }
    }

    public init(connectors: String) {
        self.connectors = connectors
    }

    /// The test files of a connector folder: `tests/*.yaml` (and `.yml`)
    /// inside it, which the server never reads as connectors.
    public static func testFiles(forConnectors connectors: String) -> [String] {
        var folder = connectors
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            folder = (folder as NSString).deletingLastPathComponent
        }
        let tests = (folder.isEmpty ? "." : folder) + "/tests"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tests)) ?? []
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }.sorted().map { tests + "/" + $0 }
    }

    /// Where a case's recorded answer lives: `fixtures/<test file>/<case>.json`
    /// beside the test file.
    public static func fixturePath(testFile: String, caseName: String) -> String {
        let folder = (testFile as NSString).deletingLastPathComponent
        let stem = ((testFile as NSString).lastPathComponent as NSString).deletingPathExtension
        return (folder.isEmpty ? "." : folder) + "/fixtures/\(stem)/\(slug(caseName)).json"
    }

    /// A case name as a file name: lower case letters, digits and dashes.
    static func slug(_ name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.last == "-" { slug.removeLast() }
        return slug.isEmpty ? "case" : String(slug.prefix(80))
    }

    public func run(_ suite: ConnectorTestSuite, recording: Recording? = nil) async -> SuiteReport {
        var report = SuiteReport(file: suite.file)
        if let recording {
            // Real secrets, real API; nothing of this run is printed but
            // the paths of the fixtures written.
            let (catalog, problems) = loadCatalog(secrets: ProcessSecretSource())
            report.connectorProblems = problems
            for testCase in suite.cases where testCase.answer == nil && testCase.expectedRequest?.none != true {
                guard let tool = catalog.tool(named: testCase.tool) else { continue }
                report.recorded.append(await record(testCase, tool: tool, suite: suite, recording: recording))
            }
        }
        let (catalog, problems) = loadCatalog(secrets: TestSecretSource(values: suite.secrets))
        if report.connectorProblems.isEmpty { report.connectorProblems = problems }
        for testCase in suite.cases {
            report.cases.append(await run(testCase, catalog: catalog, suite: suite))
        }
        return report
    }

    func loadCatalog(secrets: any SecretSource) -> (Catalog, [Diagnostic]) {
        let loader = CatalogLoader(decoder: ConnectorDecoder(secrets: secrets))
        do {
            let result = try loader.load(directory: connectors)
            return (result.catalog, result.diagnostics)
        } catch {
            return (.empty, [Diagnostic(file: connectors, line: 1, column: 1, message: "\(error)")])
        }
    }

    func run(_ testCase: ConnectorTestCase, catalog: Catalog, suite: ConnectorTestSuite) async -> CaseReport {
        var report = CaseReport(name: testCase.name, location: testCase.location)
        guard let tool = catalog.tool(named: testCase.tool) else {
            report.problem = "no tool named \(Diagnostic.quoted(testCase.tool)) in \(connectors)"
            return report
        }
        var answer = testCase.answer
        if answer == nil {
            let path = Self.fixturePath(testFile: suite.file, caseName: testCase.name)
            if FileManager.default.fileExists(atPath: path) {
                do { answer = try AnswerFixture.read(path).answer } catch {
                    report.problem = error.description
                    return report
                }
            }
        }
        let upstream = ReplayingUpstream(answer: answer)
        let result = await call(tool, testCase: testCase, client: upstream, credentials: StandInCredentials())
        if answer == nil, !upstream.requests.isEmpty, testCase.expectedRequest?.none != true {
            report.problem = "the call sent a request and the case has no answer: add 'answer:' or record one with --record"
        }
        if let expected = testCase.expectedRequest { report.mismatches += RequestCheck(expected: expected).mismatches(upstream.requests) }
        if let expected = testCase.expectedResult, report.problem == nil { report.mismatches += ResultCheck(expected: expected).mismatches(result) }
        return report
    }

    /// The tool called as the server calls it; a caller without the
    /// tool's scopes is refused as the server refuses it.
    func call(_ tool: CatalogTool, testCase: ConnectorTestCase, client: any UpstreamClient, credentials: any CredentialSource) async -> ToolResult {
        let caller = testCase.caller ?? .anonymous
        if testCase.caller != nil, !tool.isAllowed(for: caller.scopes) {
            return .error("Forbidden: \(tool.name) needs the scopes \(tool.definition.scopes.sorted().joined(separator: " ")).")
        }
        let invoker = ToolInvoker(client: client, credentials: credentials, sleep: { _ in })
        return await invoker.invoke(tool.definition, target: tool.target, arguments: testCase.arguments, caller: caller).result
    }

    /// Calls the live API once for `testCase` and writes what it answered;
    /// says what was written, or why nothing was.
    func record(_ testCase: ConnectorTestCase, tool: CatalogTool, suite: ConnectorTestSuite, recording: Recording) async -> String {
        let recorder = RecordingUpstream(client: recording.client)
        // Credentials obtained at call time need the server's identity
        // setup; only those written in connector files are used here.
        let result = await call(tool, testCase: testCase, client: recorder, credentials: NoCredentialSource())
        guard let exchange = recorder.exchange else {
            return "\(testCase.name): not recorded: \(String(result.joinedText.prefix(200)))"
        }
        let path = Self.fixturePath(testFile: suite.file, caseName: testCase.name)
        let fixture = AnswerFixture(request: exchange.request, response: exchange.response, scrubHeaders: recording.scrubHeaders)
        do { try fixture.write(to: path) } catch { return "\(testCase.name): not recorded: cannot write \(path)" }
        return "\(testCase.name): recorded \(path) (HTTP \(exchange.response.status))"
    }
}

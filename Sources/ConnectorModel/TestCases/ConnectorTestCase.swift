import Caller
import GatehouseJSON
import OrderedCollections

/// The test cases of one test file (`tests/*.yaml` beside the connector
/// files): each calls one tool offline and states what must go out to the
/// API and what must come back to the model.
public struct ConnectorTestSuite: Sendable {
    public var file: String
    /// Values for the `${env:…}` and `${file:…}` references of the
    /// connector files, keyed `env:NAME` or `file:PATH`. Tests never read
    /// the real ones, so no real secret can appear in what they print.
    public var secrets: [String: String]
    public var cases: [ConnectorTestCase]

    public init(file: String, secrets: [String: String] = [:], cases: [ConnectorTestCase]) {
        self.file = file
        self.secrets = secrets
        self.cases = cases
    }
}

/// One call of one tool: given arguments (and a caller), the request
/// expected; given the API's answer, the result expected.
public struct ConnectorTestCase: Sendable {
    public var name: String
    public var location: SourceLocation
    public var tool: String
    public var arguments: JSONObject
    /// Who calls; anonymous when the case names nobody.
    public var caller: CallerIdentity?
    public var expectedRequest: ExpectedRequest?
    /// The API's answer; without one the case's fixture file is read.
    public var answer: RecordedAnswer?
    public var expectedResult: ExpectedResult?

    public init(
        name: String, location: SourceLocation, tool: String, arguments: JSONObject = [:], caller: CallerIdentity? = nil,
        expectedRequest: ExpectedRequest? = nil, answer: RecordedAnswer? = nil, expectedResult: ExpectedResult? = nil
    ) {
        self.name = name
        self.location = location
        self.tool = tool
        self.arguments = arguments
        self.caller = caller
        self.expectedRequest = expectedRequest
        self.answer = answer
        self.expectedResult = expectedResult
    }
}

/// What the request to the API must be; only what is stated is checked.
public struct ExpectedRequest: Sendable, Equatable {
    public var method: String?
    /// The URL without its query; with a `?`, the whole URL.
    public var url: String?
    /// Every query parameter, decoded; a list for a repeated name.
    public var query: JSONObject?
    /// Headers that must be sent with these values; `null` for a header
    /// that must not be sent.
    public var headers: [(name: String, value: String?)]
    /// The body: a JSON value compared as JSON, or text compared exactly.
    public var body: JSONValue?
    /// `true`: the call must not reach the API at all.
    public var none: Bool

    public init(
        method: String? = nil, url: String? = nil, query: JSONObject? = nil, headers: [(name: String, value: String?)] = [],
        body: JSONValue? = nil, none: Bool = false
    ) {
        self.method = method
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
        self.none = none
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.method == b.method && a.url == b.url && a.query == b.query && a.body == b.body && a.none == b.none
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// An API's answer as a test or a fixture holds it.
public struct RecordedAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]
    public var headers: [String: String]

    public init(status: Int, contentType: String?, body: [UInt8], headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// What the tool result must be; only what is stated is checked.
public struct ExpectedResult: Sendable, Equatable {
    public var isError: Bool?
    /// The text blocks joined by new lines, exactly.
    public var text: String?
    /// Pieces the text must contain.
    public var textContains: [String]
    public var structuredContent: JSONValue?

    public init(isError: Bool? = nil, text: String? = nil, textContains: [String] = [], structuredContent: JSONValue? = nil) {
        self.isError = isError
        self.text = text
        self.textContains = textContains
        self.structuredContent = structuredContent
    }
}

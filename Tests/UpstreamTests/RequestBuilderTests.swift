import Caller
import ConnectorModel
import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import Upstream

// MARK: - Shared helpers for the Upstream tests

struct DecodedTool {
    var tool: ToolDefinition
    var target: UpstreamTarget
}

/// Decodes a connector with a single tool named `t`; `toolLines` continue the
/// tool mapping (indented by four spaces), `connectorLines` go before `tools:`.
func decodeTool(
    _ toolLines: String = "", method: String = "GET", path: String = "/items", connectorLines: String = "",
    baseURL: String = "https://api.example.com/v2"
) throws -> DecodedTool {
    let yaml = ConnectorText.oneTool(
        toolLines, method: method, path: path, connector: "test", baseURL: baseURL, description: "A test tool.",
        connectorLines: connectorLines)
    let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "test.yaml")
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
    let connector = try #require(result.connector)
    let tool = try #require(connector.tools.first)
    return DecodedTool(tool: tool, target: connector.target(for: tool))
}

func build(
    _ decoded: DecodedTool, _ arguments: JSONObject = [:], caller: CallerIdentity = .anonymous,
    builder: RequestBuilder = RequestBuilder()
) throws(RequestBuilder.ArgumentError) -> UpstreamRequest {
    try builder.build(tool: decoded.tool, target: decoded.target, arguments: arguments, caller: caller)
}

extension ToolInvoker {
    /// Calls a tool made by ``decodeTool(_:method:path:connectorLines:baseURL:)``.
    func call(
        _ decoded: DecodedTool, _ arguments: JSONObject = [:], caller: CallerIdentity = .anonymous,
        abandonments: [any CallAbandonment] = []
    ) async -> Outcome {
        await invoke(decoded.tool, target: decoded.target, arguments: arguments, caller: caller, abandonments: abandonments)
    }
}

func buildError(
    _ decoded: DecodedTool, _ arguments: JSONObject = [:], caller: CallerIdentity = .anonymous
) -> String? {
    do {
        _ = try build(decoded, arguments, caller: caller)
        return nil
    } catch {
        return error.message
    }
}

extension UpstreamRequest {
    var bodyText: String? { body.map { String(decoding: $0, as: UTF8.self) } }
    var headerNames: [String] { headers.map(\.name) }
}

// MARK: - Path

@Test func pathValuesArePercentEncoded() throws {
    let decoded = try decodeTool("    parameters:\n      name: string", path: "/files/{name}")
    #expect(try build(decoded, ["name": "a/b c"]).url == "https://api.example.com/v2/files/a%2Fb%20c")
    #expect(try build(decoded, ["name": "zürich ✓"]).url == "https://api.example.com/v2/files/z%C3%BCrich%20%E2%9C%93")
    #expect(try build(decoded, ["name": "?#&=%+"]).url == "https://api.example.com/v2/files/%3F%23%26%3D%25%2B")
    #expect(try build(decoded, ["name": "A-z_0.9~"]).url == "https://api.example.com/v2/files/A-z_0.9~")
    #expect(try build(decoded, ["name": "..."]).url == "https://api.example.com/v2/files/...")
}

@Test func slashesStayInAPathValueThatAllowsThem() throws {
    let decoded = try decodeTool(
        "    parameters:\n      owner: string\n      path: { type: string, slashes: true }", path: "/repos/{owner}/contents/{path}")
    #expect(try build(decoded, ["owner": "a/b", "path": "docs/read me.md"]).url == "https://api.example.com/v2/repos/a%2Fb/contents/docs/read%20me.md")
    #expect(try build(decoded, ["owner": "o", "path": "a%2F..%2Fb"]).url == "https://api.example.com/v2/repos/o/contents/a%252F..%252Fb")
    for bad in ["../secrets", "a/../../b", "a//b", "a/./b", "/etc/passwd", "a/"] {
        #expect(buildError(decoded, ["owner": "o", "path": .string(bad)]) == "path parameter 'path' must not hold empty, '.' or '..' segments", "\(bad)")
    }
}

@Test func slashesAreForPathParametersOnly() {
    let yaml = ConnectorText.oneTool(
        "    parameters:\n      q: { type: string, slashes: true }", method: "GET", path: "/x", connector: "test",
        baseURL: "https://api.example.com", description: "d", connectorLines: "")
    let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "t.yaml")
    #expect(result.diagnostics.map(\.message) == ["slashes applies to path parameters only"])
}

@Test func dotSegmentsAreRejected() throws {
    let decoded = try decodeTool("    parameters:\n      name: string", path: "/files/{name}")
    #expect(buildError(decoded, ["name": "."]) == "path parameter 'name' must not be '.' or '..'")
    #expect(buildError(decoded, ["name": ".."]) == "path parameter 'name' must not be '.' or '..'")
    #expect(buildError(decoded, ["name": ""]) == "path parameter 'name' must not be empty")
    #expect(buildError(decoded, [:]) == "missing value for path parameter 'name'")
    #expect(throws: RequestBuilder.ArgumentError(message: "path parameter 'name' must not be '.' or '..'")) {
        try build(decoded, ["name": ".."])
    }
}

@Test func basePathPrefixAndPortAreKept() throws {
    let decoded = try decodeTool(
        "    parameters:\n      id: integer", path: "/tickets/{id}/comments", baseURL: "http://api.example.com:8080/base/v1/")
    let request = try build(decoded, ["id": 42])
    #expect(request.url == "http://api.example.com:8080/base/v1/tickets/42/comments")
    #expect(request.displayURL == "http://api.example.com:8080/base/v1/tickets/42/comments")
    #expect(request.method == .GET)
}

@Test func aToolsOwnBaseURLReplacesTheConnectors() throws {
    let yaml = ConnectorText.oneTool(
        "    base_url: https://uploads.example.com/api/${env:TOKEN}\n    parameters:\n      id: integer", method: "GET",
        path: "/files/{id}", connector: "test", baseURL: "https://api.example.com", description: "d", connectorLines: "")
    let result = ConnectorDecoder(secrets: TestSecrets(environment: ["TOKEN": "t0ken-value"])).decode(yaml: yaml, file: "t.yaml")
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let connector = try #require(result.connector)
    let tool = try #require(connector.tools.first)
    let decoded = DecodedTool(tool: tool, target: connector.target(for: tool))
    #expect(try build(decoded, ["id": 7]).url == "https://uploads.example.com/api/t0ken-value/files/7")
    #expect(decoded.target.written.baseURL == "https://uploads.example.com/api/${env:TOKEN}", "fingerprints see the reference, not the secret")
    #expect(!decoded.target.redactor.redact("x t0ken-value y").contains("t0ken-value"), "the secret in it is redacted from answers")
    #expect(connector.target.baseURL.description == "https://api.example.com", "other tools keep the connector's")
}

@Test func aBadToolBaseURLIsADiagnostic() {
    let yaml = ConnectorText.oneTool(
        "    base_url: ftp://files.example.com", method: "GET", path: "/x", connector: "test", baseURL: "https://api.example.com",
        description: "d", connectorLines: "")
    let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: yaml, file: "t.yaml")
    #expect(result.diagnostics.map(\.message) == ["base_url scheme must be http or https, not ftp"])
}

@Test func pathDefaultIsUsedWhenAbsent() throws {
    let decoded = try decodeTool("    parameters:\n      v: { type: string, default: latest }", path: "/versions/{v}")
    #expect(try build(decoded).url == "https://api.example.com/v2/versions/latest")
    #expect(try build(decoded, ["v": "3"]).url == "https://api.example.com/v2/versions/3")
}

// MARK: - Query

@Test func queryArraysAreExplodedByDefault() throws {
    let decoded = try decodeTool("    parameters:\n      tag: { type: array, items: string }")
    let request = try build(decoded, ["tag": ["a", "b c"]])
    #expect(request.url == "https://api.example.com/v2/items?tag=a&tag=b%20c")
    #expect(request.displayURL == "https://api.example.com/v2/items")
}

@Test func queryArraysWithExplodeFalseAreCommaJoined() throws {
    let decoded = try decodeTool("    parameters:\n      tag: { type: array, items: string, explode: false }")
    // Elements are encoded one by one and joined with a literal comma, so a
    // comma inside an element stays distinguishable from the separator.
    #expect(try build(decoded, ["tag": ["a", "b"]]).url == "https://api.example.com/v2/items?tag=a,b")
    #expect(try build(decoded, ["tag": ["a,b", "c"]]).url == "https://api.example.com/v2/items?tag=a%2Cb,c")
    #expect(try build(decoded, ["tag": []]).url == "https://api.example.com/v2/items?tag=")
}

@Test func queryBooleansAndNumbers() throws {
    let decoded = try decodeTool(
        """
            parameters:
              yes: boolean
              no: boolean
              n: integer
              x: number
              big: integer
        """)
    let request = try build(decoded, ["yes": true, "no": false, "n": -7, "x": 1.5, "big": 12_345_678_901_234_567])
    #expect(request.url == "https://api.example.com/v2/items?yes=true&no=false&n=-7&x=1.5&big=12345678901234567")
    #expect(try build(decoded, ["x": 2.0]).url == "https://api.example.com/v2/items?x=2")
}

@Test func queryDefaultsAreAppliedAndAbsentOptionalsOmitted() throws {
    let decoded = try decodeTool(
        """
            parameters:
              q: string
              page_size: { type: integer, as: per_page, default: 20 }
              sort: { type: string, enum: [asc, desc] }
        """)
    #expect(try build(decoded).url == "https://api.example.com/v2/items?per_page=20")
    #expect(try build(decoded, ["q": "x", "page_size": 5]).url == "https://api.example.com/v2/items?q=x&per_page=5")
    #expect(try build(decoded, ["q": nil]).url == "https://api.example.com/v2/items?per_page=20", "null means absent")
}

@Test func queryNamesArePercentEncoded() throws {
    let decoded = try decodeTool("    parameters:\n      name: { type: string, as: \"filter[name]\" }")
    #expect(try build(decoded, ["name": "a&b=c"]).url == "https://api.example.com/v2/items?filter%5Bname%5D=a%26b%3Dc")
}

@Test func fixedAndTemplatedQueryItems() throws {
    let decoded = try decodeTool(
        """
            parameters:
              city: string
            query:
              units: metric
              where: "in:{{ city }}"
              also: "{{ city }}"
        """)
    #expect(
        try build(decoded, ["city": "Oslo"]).url
            == "https://api.example.com/v2/items?city=Oslo&units=metric&where=in%3AOslo&also=Oslo")
    // A query item that is only an absent placeholder is left out; interpolated ones keep their text.
    #expect(try build(decoded).url == "https://api.example.com/v2/items?units=metric&where=in%3A")
}

// MARK: - Headers

@Test func headerParameters() throws {
    let decoded = try decodeTool("    parameters:\n      trace: { type: string, in: header, as: X-Trace-Id }")
    let request = try build(decoded, ["trace": "abc-123"])
    #expect(request.header("x-trace-id") == "abc-123")
    #expect(request.url == "https://api.example.com/v2/items")
    #expect(try build(decoded).header("X-Trace-Id") == nil)
}

@Test func lineBreaksInHeaderValuesAreRejected() throws {
    let decoded = try decodeTool("    parameters:\n      trace: { type: string, in: header, as: X-Trace-Id }")
    let expected = RequestBuilder.ArgumentError(message: "the value for header X-Trace-Id must not contain line breaks")
    #expect(throws: expected) { try build(decoded, ["trace": "a\r\nInjected: yes"]) }
    #expect(throws: expected) { try build(decoded, ["trace": "a\nb"]) }
    #expect(throws: expected) { try build(decoded, ["trace": "a\rb"]) }
}

@Test func lineBreaksInTemplatedToolHeadersAreRejected() throws {
    let decoded = try decodeTool(
        "    parameters:\n      v: { type: string, in: query }\n    headers:\n      X-V: \"v={{ v }}\"")
    #expect(buildError(decoded, ["v": "1\n2"]) == "the value for header X-V must not contain line breaks")
    #expect(try build(decoded, ["v": "1"]).header("X-V") == "v=1")
}

@Test func connectorHeadersComeFirstThenDefaults() throws {
    let decoded = try decodeTool(connectorLines: "headers:\n  X-Client: gatehouse\n  X-Version: \"2\"")
    let request = try build(decoded)
    #expect(request.headerNames == ["X-Client", "X-Version", "Accept", "User-Agent"])
    #expect(request.header("X-Client") == "gatehouse")
    #expect(request.header("X-Version") == "2")
    #expect(request.header("Accept") == "application/json, text/plain;q=0.9, */*;q=0.8")
    #expect(request.header("User-Agent") == "gatehouse")
    #expect(try build(decoded, builder: RequestBuilder(userAgent: "gh/1.0")).header("user-agent") == "gh/1.0")
}

@Test func toolHeadersOverrideAcceptAndContentType() throws {
    let decoded = try decodeTool(
        "    parameters:\n      title: string\n    headers:\n      Accept: text/csv\n      Content-Type: application/merge-patch+json",
        method: "PATCH")
    let request = try build(decoded, ["title": "x"])
    #expect(request.headers.filter { $0.name.lowercased() == "accept" }.map(\.value) == ["text/csv"])
    #expect(
        request.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value) == ["application/merge-patch+json"])
}

// MARK: - Body

@Test func bodyFromBodyParameters() throws {
    let decoded = try decodeTool(
        """
            parameters:
              title: { type: string, required: true }
              count: integer
              labels: { type: array, items: string }
              meta: { type: object }
              note: { type: string, as: comment }
        """, method: "POST")
    let request = try build(decoded, ["labels": ["x", "y"], "title": "Hi \"there\"", "count": 3, "meta": ["k": 1]])
    #expect(request.method == .POST)
    #expect(request.bodyText == #"{"title":"Hi \"there\"","count":3,"labels":["x","y"],"meta":{"k":1}}"#)
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.url == "https://api.example.com/v2/items")
    #expect(try build(decoded, ["title": "a", "note": "n"]).bodyText == #"{"title":"a","comment":"n"}"#)
}

@Test func bodyParametersAllAbsentStillSendAnEmptyObject() throws {
    let decoded = try decodeTool("    parameters:\n      note: string", method: "POST")
    let request = try build(decoded)
    #expect(request.bodyText == "{}")
    #expect(request.header("Content-Type") == "application/json")
}

@Test func noBodyMeansNoContentType() throws {
    let get = try build(try decodeTool("    parameters:\n      q: string"), ["q": "x"])
    #expect(get.body == nil)
    #expect(get.header("Content-Type") == nil)
    let delete = try build(try decodeTool("    parameters:\n      id: integer", method: "DELETE", path: "/items/{id}"), ["id": 1])
    #expect(delete.body == nil)
    #expect(delete.header("content-type") == nil)
    #expect(delete.method == .DELETE)
}

@Test func bodyTemplateLonePlaceholdersKeepTheirJSONType() throws {
    let decoded = try decodeTool(
        """
            parameters:
              n: integer
              ratio: number
              flag: boolean
              tags: { type: array, items: string }
              opt: string
            body:
              count: "{{ n }}"
              ratio: "{{ ratio }}"
              flag: "{{ flag }}"
              tags: "{{ tags }}"
              optional: "{{ opt }}"
              label: "n={{ n }}, opt={{ opt }}"
              fixed: [1, true, null]
              nested: { list: ["{{ n }}", "{{ opt }}"] }
        """, method: "POST")
    let request = try build(decoded, ["n": 5, "ratio": 0.25, "flag": false, "tags": ["a", "b"]])
    #expect(
        request.bodyText
            == #"{"count":5,"ratio":0.25,"flag":false,"tags":["a","b"],"label":"n=5, opt=","fixed":[1,true,null],"nested":{"list":[5]}}"#
    )
    let withOptional = try build(decoded, ["n": 1, "ratio": 1, "flag": true, "tags": [], "opt": "o"])
    let body = try JSONParser.parse(try #require(withOptional.body))
    #expect(body["optional"] == "o")
    #expect(body["label"] == "n=1, opt=o")
    #expect(body["nested"]?["list"] == [1, "o"])
    #expect(withOptional.header("content-type") == "application/json")
}

@Test func bodyTemplateThatIsOnlyAnAbsentPlaceholderSendsNull() throws {
    let decoded = try decodeTool("    parameters:\n      doc: object\n    body: \"{{ doc }}\"", method: "PUT")
    #expect(try build(decoded, ["doc": ["a": [1, 2]]]).bodyText == #"{"a":[1,2]}"#)
    #expect(try build(decoded).bodyText == "null")
}

// MARK: - Caller identity

@Test func userPlaceholdersUseTheCaller() throws {
    let decoded = try decodeTool(
        """
            headers:
              X-User: "{{ user.email }}"
              X-Tenant: "tenant-{{ user.claims.tenant }}"
            query:
              owner: "{{ user.sub }}"
        """)
    let caller = CallerIdentity(subject: "u-1", email: "ann@example.com", name: "Ann", claims: ["tenant": "acme"])
    let request = try build(decoded, caller: caller)
    #expect(request.header("X-User") == "ann@example.com")
    #expect(request.header("X-Tenant") == "tenant-acme")
    #expect(request.url == "https://api.example.com/v2/items?owner=u-1")
}

@Test func interpolatedUserPlaceholderWithAnonymousCallerIsAnError() throws {
    let decoded = try decodeTool("    headers:\n      X-User: \"mailto:{{ user.email }}\"")
    #expect(
        buildError(decoded, caller: .anonymous)
            == "this tool needs {{ user.email }} of the signed-in user, which is not available")
    #expect(try build(decoded, caller: CallerIdentity(email: "a@b.c")).header("X-User") == "mailto:a@b.c")
}

// A tool that passes the caller's identity upstream must never call the
// upstream without it: a dropped tenant header could widen access.
@Test func loneUserPlaceholderWithAnonymousCallerIsAnError() throws {
    let decoded = try decodeTool("    headers:\n      X-User: \"{{ user.email }}\"", method: "POST")
    #expect(
        buildError(decoded, caller: .anonymous)
            == "this tool needs {{ user.email }} of the signed-in user, which is not available")
}

@Test func bodyUserPlaceholderWithAnonymousCallerIsAnError() throws {
    let decoded = try decodeTool("    body:\n      who: \"{{ user.name }}\"\n      n: 1", method: "POST")
    #expect(
        buildError(decoded, caller: .anonymous)
            == "this tool needs {{ user.name }} of the signed-in user, which is not available")
    #expect(try build(decoded, caller: CallerIdentity(name: "Bo")).bodyText == #"{"who":"Bo","n":1}"#)
}

@Test func anUnverifiedEmailIsAnErrorThatSaysSo() throws {
    let withheld = CallerIdentity(subject: "u-1", name: "Eve", emailUnverified: true)
    for template in ["{{ user.email }}", "{{ user.claims.email }}"] {
        let decoded = try decodeTool("    headers:\n      X-User: \"\(template)\"")
        #expect(
            buildError(decoded, caller: withheld)
                == "this tool needs \(template) of the signed-in user, and the identity provider has not verified that address")
    }
    let byName = try decodeTool("    headers:\n      X-User: \"{{ user.name }}\"")
    #expect(try build(byName, caller: withheld).header("X-User") == "Eve", "the rest of the identity still works")
}

// MARK: - Auth

private func target(auth: UpstreamAuth?) throws -> UpstreamTarget {
    UpstreamTarget(
        connector: "c", baseURL: try BaseURL(parsing: "https://api.example.com"), headers: [("X-Base", "1")], auth: auth)
}

private func authRequest(_ auth: UpstreamAuth?) throws -> UpstreamRequest {
    var decoded = try decodeTool("    parameters:\n      q: string")
    decoded.target = try target(auth: auth)
    return try build(decoded, ["q": "x"])
}

@Test func bearerAuth() throws {
    let request = try authRequest(.bearer(token: "tok-1"))
    #expect(request.header("Authorization") == "Bearer tok-1")
    #expect(request.headerNames.prefix(2) == ["X-Base", "Authorization"])
}

@Test func basicAuthIsBase64() throws {
    #expect(try authRequest(.basic(username: "user", password: "pass")).header("Authorization") == "Basic dXNlcjpwYXNz")
    #expect(try authRequest(.basic(username: "ü", password: "p:w")).header("Authorization") == "Basic w7w6cDp3")
}

@Test func apiKeyInAHeader() throws {
    let request = try authRequest(.apiKeyHeader(name: "X-Api-Key", value: "k-9"))
    #expect(request.header("X-Api-Key") == "k-9")
    #expect(request.header("Authorization") == nil)
    #expect(request.url == "https://api.example.com/items?q=x")
}

@Test func apiKeyInTheQueryStaysOutOfTheDisplayURL() throws {
    let request = try authRequest(.apiKeyQuery(name: "api_key", value: "s e/cret"))
    #expect(request.url == "https://api.example.com/items?q=x&api_key=s%20e%2Fcret")
    #expect(request.displayURL == "https://api.example.com/items")
    #expect(request.header("Authorization") == nil)
}

@Test func noAuthAddsNoAuthorization() throws {
    #expect(try authRequest(nil).header("Authorization") == nil)
}

// MARK: - Timeouts and limits

@Test func toolTimeoutOverridesTheConnectors() throws {
    let withTool = try decodeTool("    timeout: 1500ms", connectorLines: "timeout: 20s\nmax_response_bytes: 1KB")
    let request = try build(withTool)
    #expect(request.timeout == .milliseconds(1500))
    #expect(request.maxResponseBytes == 1000)
    let connectorOnly = try decodeTool(connectorLines: "timeout: 20s")
    #expect(try build(connectorOnly).timeout == .seconds(20))
    #expect(try build(try decodeTool()).timeout == Connector.defaultTimeout)
    #expect(try build(try decodeTool()).maxResponseBytes == Connector.defaultMaxResponseBytes)
}

// MARK: - Scalar text

@Test func scalarTextOfEachJSONType() throws {
    #expect(try RequestBuilder.scalarText("s", name: "n", joiner: ",") == "s")
    #expect(try RequestBuilder.scalarText(3, name: "n", joiner: ",") == "3")
    #expect(try RequestBuilder.scalarText(1e-7, name: "n", joiner: ",") == "1e-07")
    #expect(try RequestBuilder.scalarText(true, name: "n", joiner: ",") == "true")
    #expect(try RequestBuilder.scalarText(nil, name: "n", joiner: ",") == "")
    #expect(try RequestBuilder.scalarText([1, "a", false], name: "n", joiner: "|") == "1|a|false")
    #expect(try RequestBuilder.scalarText(["k": 1], name: "n", joiner: ",") == #"{"k":1}"#)
    #expect(throws: RequestBuilder.ArgumentError(message: "'n' cannot hold nested lists here")) {
        try RequestBuilder.scalarText([[1]], name: "n", joiner: ",")
    }
}

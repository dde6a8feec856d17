import Foundation
import GatehouseJSON
import GatehouseTesting
import Testing

@testable import ConnectorModel

// MARK: - Test doubles and helpers

private func decode(
    _ yaml: String, file: String = "f.yaml", directory: String = ".", secrets: TestSecrets = TestSecrets()
) -> ConnectorDecoder.Result {
    ConnectorDecoder(secrets: secrets).decode(yaml: yaml, file: file, directory: directory)
}

/// The descriptions (`file:line:column: message`) of every diagnostic.
private func diagnostics(_ yaml: String, directory: String = ".", secrets: TestSecrets = TestSecrets()) -> [String] {
    decode(yaml, directory: directory, secrets: secrets).diagnostics.map(\.description)
}

private func decodeConnector(_ yaml: String, secrets: TestSecrets = TestSecrets()) throws -> Connector {
    let result = decode(yaml, secrets: secrets)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
    return try #require(result.connector)
}

/// A connector with one GET tool at `/a` and the given extra tool lines
/// (indented for a tool mapping).
private func oneTool(_ toolLines: String, method: String = "GET", path: String = "/a") -> String {
    ConnectorText.oneTool(toolLines, method: method, path: path)
}

private extension Connector {
    func tool(_ name: String) throws -> ToolDefinition {
        try #require(tools.first { $0.name == name })
    }
}

private extension ToolDefinition {
    func parameter(_ name: String) throws -> Parameter {
        try #require(parameters.first { $0.name == name })
    }
}

// MARK: - A complete file

private let fullFile = """
    connector: tickets
    description: Ticket tracker
    base_url: https://API.example.com:8443/v2/
    headers:
      X-Client: gatehouse
    auth:
      bearer: ${env:TICKETS_TOKEN}
    timeout: 5s
    max_response_bytes: 2MB
    tools:
      - name: list_tickets
        description: List tickets.
        path: /projects/{project}/tickets
        parameters:
          project: string
          status: { type: string, enum: [open, closed], default: open }
          tags: { type: array, items: string, explode: false }
          page_size: { type: integer, as: per_page, minimum: 1, maximum: 100, default: 20 }
        response:
          select: data.items
          fields: [id, title, owner.login]
          max_bytes: 10KB
      - name: create_ticket
        title: Create ticket
        description: Create a ticket.
        method: post
        path: /projects/{project}/tickets
        parameters:
          project: { type: string }
          title: { type: string, required: true }
          trace: { type: string, in: header, as: X-Trace-Id }
        timeout: 2s
        response:
          output_schema:
            type: object
            properties:
              id: { type: integer }
            required: [id]
      - name: delete_ticket
        description: Delete a ticket.
        method: DELETE
        path: /tickets/{id}
        parameters:
          id: integer
          force: boolean
      - name: replace_ticket
        description: Replace a ticket.
        method: PUT
        path: /tickets/{id}
        parameters:
          id: integer
          title: string
        annotations:
          title: Replace
          destructive: false
          open_world: true
      - name: peek
        description: Peek.
        path: /peek
        annotations:
          read_only: false
    """

private let fullSecrets = TestSecrets(environment: ["TICKETS_TOKEN": "s3cret"])

@Test func fullFileDecodesConnectorLevelSettings() throws {
    let connector = try decodeConnector(fullFile, secrets: fullSecrets)
    #expect(connector.name == "tickets")
    #expect(connector.description == "Ticket tracker")
    #expect(connector.baseURL == BaseURL(scheme: "https", host: "api.example.com", port: 8443, path: "/v2"))
    #expect(connector.baseURL.description == "https://api.example.com:8443/v2")
    #expect(connector.headers.map(\.name) == ["X-Client"])
    #expect(connector.headers.map(\.value) == ["gatehouse"])
    #expect(connector.auth == .bearer(token: "s3cret"))
    #expect(connector.timeout == .seconds(5))
    #expect(connector.maxResponseBytes == 2_000_000)
    #expect(connector.tools.count == 5)
    #expect(connector.tools.map(\.name) == ["list_tickets", "create_ticket", "delete_ticket", "replace_ticket", "peek"])
    #expect(connector.location == SourceLocation(file: "f.yaml", line: 1, column: 1))
}

@Test func fullFileGETToolParameters() throws {
    let tool = try decodeConnector(fullFile, secrets: fullSecrets).tool("list_tickets")
    #expect(tool.method == .GET)
    #expect(tool.path.segments == [.literal("/projects/"), .parameter("project"), .literal("/tickets")])
    #expect(tool.path.source == "/projects/{project}/tickets")
    #expect(tool.timeout == nil)
    #expect(tool.location == SourceLocation(file: "f.yaml", line: 11, column: 11))

    let project = try tool.parameter("project")
    #expect(project.location == .path)
    #expect(project.required)
    #expect(project.schema == ["type": "string"])

    let status = try tool.parameter("status")
    #expect(status.location == .query)
    #expect(!status.required)
    #expect(status.defaultValue == "open")
    #expect(status.schema["enum"] == ["open", "closed"])
    #expect(status.schema["default"] == "open")

    let tags = try tool.parameter("tags")
    #expect(tags.location == .query)
    #expect(tags.explode == false)
    #expect(tags.schema == ["type": "array", "items": ["type": "string"]])

    let pageSize = try tool.parameter("page_size")
    #expect(pageSize.location == .query)
    #expect(pageSize.upstreamName == "per_page")
    #expect(pageSize.defaultValue == .int(20))
    #expect(pageSize.explode)
    #expect(pageSize.schema == ["type": "integer", "minimum": 1, "maximum": 100, "default": 20])

    let schema = tool.inputSchema.source
    #expect(schema["type"] == "object")
    #expect(schema["required"] == ["project"])
    #expect(schema["additionalProperties"] == false)
    #expect(schema["properties"]?.objectValue.map { Array($0.keys) } == ["project", "status", "tags", "page_size"])
}

@Test func fullFileResponseShaping() throws {
    let tool = try decodeConnector(fullFile, secrets: fullSecrets).tool("list_tickets")
    #expect(tool.response.select == ["data", "items"])
    #expect(tool.response.fields == [["id"], ["title"], ["owner", "login"]])
    #expect(tool.response.maxBytes == 10_000)
    #expect(tool.response.outputSchema == nil)
}

@Test func fullFilePOSTToolParametersGoToBody() throws {
    let tool = try decodeConnector(fullFile, secrets: fullSecrets).tool("create_ticket")
    #expect(tool.method == .POST)
    #expect(tool.title == "Create ticket")
    #expect(tool.timeout == .seconds(2))
    let project = try tool.parameter("project")
    #expect(project.location == .path)
    #expect(project.required, "a path parameter without a default is required")
    let title = try tool.parameter("title")
    #expect(title.location == .body)
    #expect(title.required)
    let trace = try tool.parameter("trace")
    #expect(trace.location == .header)
    #expect(trace.upstreamName == "X-Trace-Id")
    #expect(!trace.required)
    #expect(tool.inputSchema.source["required"] == ["project", "title"])

    let output = try #require(tool.response.outputSchema)
    #expect(output.source["type"] == "object")
    #expect(output.source["required"] == ["id"])
    #expect(output.validate(["id": 3]).isEmpty)
    #expect(!output.validate(["id": "x"]).isEmpty)
}

@Test func annotationDefaultsFollowTheMethod() throws {
    let connector = try decodeConnector(fullFile, secrets: fullSecrets)
    #expect(try connector.tool("list_tickets").annotations == ToolAnnotations(readOnly: true))
    #expect(
        try connector.tool("create_ticket").annotations
            == ToolAnnotations(readOnly: false, destructive: false, idempotent: false))
    #expect(
        try connector.tool("delete_ticket").annotations
            == ToolAnnotations(readOnly: false, destructive: true, idempotent: true))
    #expect(try connector.tool("list_tickets").annotations.json == ["readOnlyHint": true])
    #expect(
        try connector.tool("delete_ticket").annotations.json
            == ["readOnlyHint": false, "destructiveHint": true, "idempotentHint": true])
}

@Test func annotationsWrittenInTheFileOverrideDefaults() throws {
    let connector = try decodeConnector(fullFile, secrets: fullSecrets)
    let put = try connector.tool("replace_ticket")
    #expect(put.annotations == ToolAnnotations(title: "Replace", readOnly: false, destructive: false, idempotent: true, openWorld: true))
    #expect(
        put.annotations.json
            == ["title": "Replace", "readOnlyHint": false, "destructiveHint": false, "idempotentHint": true, "openWorldHint": true])
    let peek = try connector.tool("peek")
    #expect(peek.annotations == ToolAnnotations(readOnly: false))
}

@Test func deleteParametersDefaultToQueryAndPutToBody() throws {
    let connector = try decodeConnector(fullFile, secrets: fullSecrets)
    let delete = try connector.tool("delete_ticket")
    #expect(try delete.parameter("id").location == .path)
    #expect(try delete.parameter("id").required)
    #expect(try delete.parameter("force").location == .query)
    #expect(try !delete.parameter("force").required)
    let put = try connector.tool("replace_ticket")
    #expect(try put.parameter("title").location == .body)
}

@Test func annotationDefaultsForPUTAndPATCH() {
    #expect(ToolAnnotations.defaults(for: .PUT) == ToolAnnotations(readOnly: false, destructive: true, idempotent: true))
    #expect(ToolAnnotations.defaults(for: .PATCH) == ToolAnnotations(readOnly: false, destructive: true, idempotent: false))
    #expect(HTTPMethod.PATCH.defaultParameterLocation == .body)
    #expect(HTTPMethod.DELETE.defaultParameterLocation == .query)
}

@Test func sampleConnectorFolderFilesDecode() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("connectors.d")
    let text = try String(contentsOf: folder.appendingPathComponent("weather.yaml"), encoding: .utf8)
    let connector = try decodeConnector(text)
    let forecast = try connector.tool("get_forecast")
    #expect(connector.timeout == .seconds(10))
    #expect(try forecast.parameter("days").upstreamName == "forecast_days")
    #expect(forecast.query.map(\.name) == ["current", "daily", "timezone"])
    #expect(forecast.query.first?.value.parts == [.text("temperature_2m,wind_speed_10m,weather_code")])
    #expect(forecast.response.fields == [["current"], ["daily"], ["timezone"]])
}

@Test func durationsAndSizesInTheirUnits() throws {
    func connector(timeout: String, size: String) -> ConnectorDecoder.Result {
        decode(
            """
            connector: x
            base_url: http://a.example
            timeout: \(timeout)
            max_response_bytes: \(size)
            tools:
              - { name: t, description: d, path: /a }
            """)
    }
    #expect(connector(timeout: "500ms", size: "100KiB").connector?.timeout == .milliseconds(500))
    #expect(connector(timeout: "500ms", size: "100KiB").connector?.maxResponseBytes == 102_400)
    #expect(connector(timeout: "2m", size: "1MiB").connector?.timeout == .seconds(120))
    #expect(connector(timeout: "2m", size: "1MiB").connector?.maxResponseBytes == 1 << 20)
    #expect(connector(timeout: "7", size: "12345").connector?.timeout == .seconds(7))
    #expect(connector(timeout: "7", size: "12345").connector?.maxResponseBytes == 12345)
    #expect(
        connector(timeout: "2h", size: "1").diagnostics.map(\.description)
            == ["f.yaml:3:10: timeout must be a duration between 1ms and 1h such as 10s or 500ms, got '2h'"])
    #expect(
        connector(timeout: "1s", size: "0").diagnostics.map(\.description)
            == ["f.yaml:4:21: max_response_bytes must be a size between 1 byte and 1GiB such as 100000 or 1MB, got '0'"])
}

@Test func authBasicAndApiKeyDecode() throws {
    func auth(_ lines: String) -> UpstreamAuth? {
        decode(
            """
            connector: x
            base_url: http://a.example
            auth:
            \(lines)
            tools:
              - { name: t, description: d, path: /a }
            """, secrets: TestSecrets(environment: ["PW": "pa ss"])
        ).connector?.auth
    }
    #expect(auth("  basic: { username: me, password: \"${env:PW}\" }") == .basic(username: "me", password: "pa ss"))
    #expect(auth("  api_key: { header: X-Key, value: k1 }") == .apiKeyHeader(name: "X-Key", value: "k1"))
    #expect(auth("  api_key: { query: key, value: k2 }") == .apiKeyQuery(name: "key", value: "k2"))
}

// MARK: - Diagnostics

@Test func diagnosticDescriptionIsFileLineColumnMessage() {
    #expect(Diagnostic(file: "dir/a.yaml", line: 3, column: 7, message: "boom").description == "dir/a.yaml:3:7: boom")
    #expect(SourceLocation(file: "a", line: 1, column: 2).diagnostic("m") == Diagnostic(file: "a", line: 1, column: 2, message: "m"))
}

@Test func unknownTopLevelKeySuggestsTheClosestKey() {
    let result = decode(
        """
        connector: x
        descripton: hello
        base_url: https://a.example
        tools:
          - { name: t, description: d, path: /a }
        """)
    #expect(result.connector == nil)
    #expect(
        result.diagnostics.map(\.description)
            == ["f.yaml:2:1: unknown key 'descripton' in the connector file; did you mean 'description'?"])
    #expect(result.diagnostics.first?.line == 2)
    #expect(result.diagnostics.first?.column == 1)
}

@Test func unknownToolKeySuggestsTheClosestKey() {
    #expect(
        diagnostics(oneTool("    parmeters: {}"))
            == ["f.yaml:8:5: unknown key 'parmeters' in a tool; did you mean 'parameters'?"])
}

@Test func unknownKeyFarFromEveryKeyHasNoSuggestion() {
    #expect(diagnostics(oneTool("    zzzzzzzz: 1")) == ["f.yaml:8:5: unknown key 'zzzzzzzz' in a tool"])
}

@Test func unknownParameterKeySuggestsTheClosestKey() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: { type: string, requird: true }"))
            == ["f.yaml:9:26: unknown key 'requird' in parameter 'q'; did you mean 'required'?"])
}

@Test func wrongTypeForTimeout() {
    #expect(
        diagnostics(
            """
            connector: x
            base_url: https://a.example
            timeout: [1]
            tools:
              - { name: t, description: d, path: /a }
            """) == ["f.yaml:3:10: timeout must be a duration such as 10s or 500ms"])
}

@Test func wrongTypeForRequired() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: { type: string, required: \"yes\" }"))
            == ["f.yaml:9:36: required must be true or false, got a string"])
}

@Test func wrongTypeForToolsAndParameters() {
    #expect(
        diagnostics("connector: x\nbase_url: https://a.example\ntools: {}\n")
            == ["f.yaml:3:8: tools must be a list, got a mapping"])
    #expect(
        diagnostics(oneTool("    parameters: [a, b]"))
            == ["f.yaml:8:17: parameters must be a mapping, got a list"])
}

@Test func pathPlaceholderWithoutParameter() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: string", path: "/items/{id}"))
            == ["f.yaml:7:11: path placeholder {id} has no parameter named 'id'"])
}

@Test func pathParameterMissingFromThePath() {
    #expect(
        diagnostics(oneTool("    parameters:\n      id: { type: string, in: path }"))
            == ["f.yaml:9:7: parameter 'id' is in: path but the path has no {id}"])
}

@Test func duplicateToolNameInOneFile() {
    let result = decode(
        """
        connector: x
        base_url: https://a.example
        tools:
          - name: t
            description: d
            path: /a
          - name: t
            description: e
            path: /b
        """)
    #expect(result.connector == nil)
    #expect(result.diagnostics.map(\.description) == ["f.yaml:7:5: duplicate tool name 't' (first defined at line 4)"])
}

@Test func unsetEnvironmentVariable() {
    let yaml = """
        connector: x
        base_url: https://a.example
        auth:
          bearer: ${env:NOPE_NOT_SET}
        tools:
          - { name: t, description: d, path: /a }
        """
    #expect(
        diagnostics(yaml)
            == ["f.yaml:4:11: environment variable NOPE_NOT_SET is not set (referenced as ${env:NOPE_NOT_SET})"])
    let set = decode(yaml, secrets: TestSecrets(environment: ["NOPE_NOT_SET": "tok"]))
    #expect(set.connector?.auth == .bearer(token: "tok"))
}

@Test func secretsInsideLongerValuesAndUnknownReferences() {
    let secrets = TestSecrets(environment: ["HOST": "api.example.com", "V": "3"])
    let result = decode(
        """
        connector: x
        base_url: https://${env:HOST}/v${env:V}
        headers:
          X-A: "${vault:x}"
          X-B: "${env:HOST"
        tools:
          - { name: t, description: d, path: /a }
        """, secrets: secrets)
    #expect(
        result.diagnostics.map(\.description) == [
            "f.yaml:4:8: unknown reference ${vault:x}: use ${env:NAME} or ${file:/path}",
            "f.yaml:5:8: unclosed '${' in value",
        ])
    let ok = decode(
        "connector: x\nbase_url: https://${env:HOST}/v${env:V}\ntools:\n  - { name: t, description: d, path: /a }",
        secrets: secrets)
    #expect(ok.connector?.baseURL.description == "https://api.example.com/v3")
}

@Test func fileSecretRelativeToTheDirectoryArgument() {
    let secrets = TestSecrets(files: ["/etc/gatehouse/token.txt": "from-file\n", "/abs/key": "abs-key"])
    let yaml = """
        connector: x
        base_url: https://a.example
        headers:
          X-Abs: ${file:/abs/key}
        auth:
          bearer: ${file:token.txt}
        tools:
          - { name: t, description: d, path: /a }
        """
    let result = decode(yaml, directory: "/etc/gatehouse", secrets: secrets)
    #expect(result.diagnostics.isEmpty)
    #expect(result.connector?.auth == .bearer(token: "from-file"), "trailing line breaks are trimmed")
    #expect(result.connector?.headers.first?.value == "abs-key")

    // The same file decoded from another directory does not find the relative file.
    #expect(
        decode(yaml, directory: "/elsewhere", secrets: secrets).diagnostics.map(\.description)
            == ["f.yaml:6:11: cannot read secret file /elsewhere/token.txt (referenced as ${file:…})"])
}

// Regression: a secret file ending in CRLF used to keep its line break ("\r\n"
// is one Character, so `hasSuffix("\n") || hasSuffix("\r")` matched neither);
// fixed in SecretSource.swift by trimming any trailing newline Character.
@Test func fileSecretWithWindowsLineEndingIsTrimmed() {
    let secrets = TestSecrets(files: ["/run/token": "tok\r\n"])
    let result = decode(
        """
        connector: x
        base_url: https://a.example
        auth:
          bearer: ${file:/run/token}
        tools:
          - { name: t, description: d, path: /a }
        """, secrets: secrets)
    #expect(result.diagnostics.map(\.description) == [])
    #expect(result.connector?.auth == .bearer(token: "tok"))
}

@Test func invalidToolNames() {
    let long = String(repeating: "a", count: 65)
    let result = decode(
        """
        connector: x
        base_url: https://a.example
        tools:
          - name: has space
            description: d
            path: /a
          - name: \(long)
            description: d
            path: /a
          - name: \(String(repeating: "b", count: 64))
            description: d
            path: /a
        """)
    #expect(
        result.diagnostics.map(\.description) == [
            "f.yaml:4:11: tool name 'has space' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'",
            // A quoted piece of the file is cut short: problem texts are public.
            "f.yaml:7:11: tool name '\(long.prefix(63))…' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'",
        ])
    #expect(ToolDefinition.isValidName(String(repeating: "b", count: 64)))
    #expect(ToolDefinition.isValidName("a.b-c_D9"))
    #expect(!ToolDefinition.isValidName(""))
    #expect(!ToolDefinition.isValidName("é"))
    #expect(!ToolDefinition.isValidName("a/b"))
}

@Test func badBaseURLs() {
    func baseURLDiagnostics(_ url: String) -> [String] {
        diagnostics("connector: x\nbase_url: \(url)\ntools:\n  - { name: t, description: d, path: /a }")
    }
    #expect(baseURLDiagnostics("ftp://a.example") == ["f.yaml:2:11: base_url scheme must be http or https, not ftp"])
    #expect(
        baseURLDiagnostics("https:///v1")
            == ["f.yaml:2:11: base_url needs a host (credentials in the URL are not allowed; use auth:)"])
    #expect(baseURLDiagnostics("a.example/v1") == ["f.yaml:2:11: base_url must be an absolute http:// or https:// URL"])
    #expect(
        baseURLDiagnostics("https://u:p@a.example")
            == ["f.yaml:2:11: base_url needs a host (credentials in the URL are not allowed; use auth:)"])
    #expect(baseURLDiagnostics("https://a.example:99999") == ["f.yaml:2:11: invalid port in base_url"])
    #expect(baseURLDiagnostics("https://a.example/?q=1") == ["f.yaml:2:11: base_url must not contain a query or fragment"])
}

@Test func baseURLParsing() throws {
    let v6 = try BaseURL(parsing: "http://[::1]:8080/api//")
    #expect(v6 == BaseURL(scheme: "http", host: "::1", port: 8080, path: "/api"))
    #expect(v6.origin == "http://[::1]:8080")
    let plain = try BaseURL(parsing: "HTTPS://Example.COM")
    #expect(plain == BaseURL(scheme: "https", host: "example.com", port: nil, path: ""))
    #expect(plain.description == "https://example.com")
}

@Test func invalidYAMLSyntaxReportsTheParserPosition() {
    let result = decode("connector: x\nbase_url: https://a.example\ntools:\n\t- name: t\n")
    #expect(result.connector == nil)
    #expect(
        result.diagnostics.map(\.description)
            == ["f.yaml:4:1: invalid YAML: found character that cannot start any token (while scanning for the next token)"])
}

@Test func unterminatedQuoteReportsWhereTheStreamEnded() {
    let result = decode(oneTool("    title: \"abc"))
    #expect(result.diagnostics.count == 1)
    #expect(result.diagnostics.first?.line == 8)
    #expect(result.diagnostics.first?.message.hasPrefix("invalid YAML: ") == true)
}

@Test func emptyFile() {
    #expect(diagnostics("") == ["f.yaml:1:1: file is empty"])
    #expect(diagnostics("   \n\n") == ["f.yaml:1:1: file is empty"])
    #expect(diagnostics("# only a comment\n") == ["f.yaml:1:1: file is empty"])
}

@Test func topLevelMustBeAMapping() {
    #expect(diagnostics("- a\n- b\n") == ["f.yaml:1:1: the connector file must be a mapping, got a list"])
}

@Test func missingRequiredKeys() {
    #expect(
        diagnostics("description: nothing else\n") == [
            "f.yaml:1:1: missing required key 'connector' (the connector's name)",
            "f.yaml:1:1: missing required key 'base_url'",
            "f.yaml:1:1: missing required key 'tools'",
        ])
    #expect(
        diagnostics(
            """
            connector: x
            base_url: https://a.example
            tools:
              - name: t
            """) == [
            "f.yaml:4:5: tool 't' needs a description: it is what the model reads to decide when to call it",
            "f.yaml:4:5: tool 't' is missing required key 'path'",
        ])
}

@Test func getWithBodyParameter() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: { type: string, in: body }"))
            == ["f.yaml:9:7: GET requests carry no body; use in: query for 't'"])
}

@Test func getWithBodyTemplate() {
    #expect(diagnostics(oneTool("    body: { a: 1 }")) == ["f.yaml:8:5: GET requests carry no body"])
}

@Test func defaultNotMatchingItsType() {
    #expect(
        diagnostics(oneTool("    parameters:\n      n: { type: integer, default: abc }"))
            == ["f.yaml:9:36: default does not fit the parameter: must be an integer, got string"])
    #expect(
        diagnostics(oneTool("    parameters:\n      n: { type: integer, maximum: 5, default: 9 }"))
            == ["f.yaml:9:48: default does not fit the parameter: must be at most 5"])
}

@Test func enumValueOfTheWrongType() {
    #expect(
        diagnostics(oneTool("    parameters:\n      e: { type: integer, enum: [1, two] }"))
            == ["f.yaml:9:33: enum value \"two\" does not fit the parameter: must be an integer, got string"])
}

@Test func invalidRegexPattern() {
    let found = diagnostics(oneTool("    parameters:\n      p: { type: string, pattern: \"([a-z\" }"))
    #expect(found.count == 1)
    #expect(found.first?.hasPrefix("f.yaml:9:35: parameter 'p': schema at /pattern: invalid regular expression") == true)
}

@Test func schemaKeywordOnTheWrongType() {
    #expect(
        diagnostics(oneTool("    parameters:\n      n: { type: integer, pattern: x }"))
            == ["f.yaml:9:27: pattern applies to string parameters only"])
    #expect(
        diagnostics(oneTool("    parameters:\n      n: { type: text }"))
            == ["f.yaml:9:18: type must be one of string, integer, number, boolean, array, object"])
}

@Test func bodyTemplatePlaceholderMustNameAParameter() {
    #expect(
        diagnostics(oneTool("    body: { a: \"{{ nope }}\" }", method: "POST"))
            == ["f.yaml:8:16: placeholder {{ nope }} names no parameter of this tool"])
}

@Test func bodyParameterUnusedByTheBodyTemplate() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: string\n    body: { a: 1 }", method: "POST"))
            == ["f.yaml:10:11: parameter 'q' goes in the body but the body template does not use {{ q }}"])
}

@Test func bodyTemplateDecodesPlaceholdersAndLiterals() throws {
    let result = decode(
        oneTool(
            """
                parameters:
                  n: integer
                  tags: array
                body:
                  count: "{{ n }}"
                  label: "n={{ n }}"
                  fixed: 3
                  who: "{{ user.email }}"
                  list: ["{{ tags }}", x]
            """, method: "POST"))
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let body = try #require(result.connector?.tools.first?.body)
    #expect(
        body
            == .object([
                (key: "count", value: .string(StringTemplate(parts: [.reference(.argument("n"))]))),
                (key: "label", value: .string(StringTemplate(parts: [.text("n="), .reference(.argument("n"))]))),
                (key: "fixed", value: .literal(3)),
                (key: "who", value: .string(StringTemplate(parts: [.reference(.user(.email))]))),
                (key: "list", value: .array([.string(StringTemplate(parts: [.reference(.argument("tags"))])), .literal("x")])),
            ]))
    #expect(body.references == [.argument("n"), .argument("n"), .user(.email), .argument("tags")])
}

@Test func headerParameterAsMustBeAValidHeaderName() {
    #expect(
        diagnostics(oneTool("    parameters:\n      q: { type: string, in: header, as: \"bad name\" }"))
            == ["f.yaml:9:42: 'bad name' is not a valid HTTP header name"])
}

@Test func objectParameterOnlyInTheBody() {
    #expect(
        diagnostics(oneTool("    parameters:\n      o: { type: object }"))
            == ["f.yaml:9:10: parameter 'o' of type object can only go in the body"])
}

@Test func outputSchemaMustBeAnObjectSchema() {
    #expect(
        diagnostics(oneTool("    response:\n      output_schema: { type: array }"))
            == ["f.yaml:9:22: output_schema must have type: object (MCP structured results are objects)"])
}

@Test func multipleErrorsInOneFileAreAllReportedInOrder() {
    let result = decode(
        """
        connector: bad name
        base_url: ftp://a.example
        timeout: forever
        tools:
          - name: ok
            description: d
            path: /a/{id}
            methd: GET
          - name: two words
            description: d
            path: /b
        """)
    #expect(result.connector == nil)
    #expect(
        result.diagnostics.map(\.description) == [
            "f.yaml:1:12: connector name 'bad name' must be 1-64 characters of letters, digits, '_' and '-'",
            "f.yaml:2:11: base_url scheme must be http or https, not ftp",
            "f.yaml:3:10: timeout must be a duration between 1ms and 1h such as 10s or 500ms, got 'forever'",
            "f.yaml:7:11: path placeholder {id} has no parameter named 'id'",
            "f.yaml:8:5: unknown key 'methd' in a tool; did you mean 'method'?",
            "f.yaml:9:11: tool name 'two words' must be 1-64 characters of A-Z, a-z, 0-9, '_', '-' and '.'",
        ])
}

@Test func diagnosticsCarryTheFileNameGiven() {
    let result = ConnectorDecoder(secrets: TestSecrets()).decode(yaml: "", file: "conf/a.yaml")
    #expect(result.diagnostics.map(\.description) == ["conf/a.yaml:1:1: file is empty"])
}

@Test func editDistanceAndClosestKey() {
    #expect(YAMLDecoding.editDistance("kitten", "sitting") == 3)
    #expect(YAMLDecoding.editDistance("", "abc") == 3)
    #expect(YAMLDecoding.closest(to: "METHOD", in: ["method", "path"]) == "method")
    #expect(YAMLDecoding.closest(to: "qqqqqq", in: ["method", "path"]) == nil)
}

// Regression: the shorthand `id: integer` inside `properties:` used to be
// rejected with "property must be a mapping, got a string", because the
// `required` lookup called decoding.mapping() on the scalar node.
@Test func shorthandPropertyTypeInsideObjectParameter() {
    let result = decode(
        oneTool(
            "    parameters:\n      obj: { type: object, properties: { id: integer, name: { type: string, required: true } } }",
            method: "POST"))
    #expect(result.diagnostics.map(\.description) == [])
    let schema = result.connector?.tools.first?.parameters.first?.schema
    #expect(
        schema
            == [
                "type": "object", "properties": ["id": ["type": "integer"], "name": ["type": "string"]],
                "required": ["name"],
            ])
}

@Test func nestedPropertiesWithMappingsDecode() throws {
    let result = decode(
        oneTool(
            "    parameters:\n      obj: { type: object, additional_properties: false, properties: { id: { type: integer }, name: { type: string, required: true } } }",
            method: "POST"))
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let schema = try #require(result.connector?.tools.first?.parameters.first?.schema)
    #expect(
        schema
            == [
                "type": "object", "additionalProperties": false,
                "properties": ["id": ["type": "integer"], "name": ["type": "string"]], "required": ["name"],
            ])
}

@Test func emptyToolList() {
    #expect(
        diagnostics("connector: x\nbase_url: https://a.example\ntools: []\n")
            == ["f.yaml:3:8: tools must list at least one tool"])
}

// Regression (fixed), this used to fail: YAMLDecoding.swift:141 only checks `seconds > 0`, so a duration under
// half a millisecond such as `0.4ms` passes and is rounded to a zero timeout
// (every call would time out at once), although the message promises a
// minimum of 1ms.
@Test func subMillisecondTimeoutIsRejected() {
    let result = decode(
        """
        connector: x
        base_url: https://a.example
        timeout: 0.4ms
        tools:
          - { name: t, description: d, path: /a }
        """)
    #expect(result.connector?.timeout != .zero)
    #expect(
        result.diagnostics.map(\.description)
            == ["f.yaml:3:10: timeout must be a duration between 1ms and 1h such as 10s or 500ms, got '0.4ms'"])
}

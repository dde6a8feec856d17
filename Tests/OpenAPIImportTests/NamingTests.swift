import Testing

@testable import OpenAPIImport

@Suite struct NamingTests {
    @Test(arguments: [
        ("findPetsByStatus", "find_pets_by_status"),
        ("getHTTPStatus", "get_http_status"),
        ("HTTPStatus", "http_status"),
        ("get-user.v2", "get_user_v2"),
        ("users/list", "users_list"),
        ("list_Users__All", "list_users_all"),
        ("getV2Items", "get_v2_items"),
        ("créerUtilisateur", "cr_er_utilisateur"),
    ])
    func snakeCase(input: String, expected: String) {
        #expect(Naming.snakeCase(input) == expected)
    }

    @Test func toolNameFallsBackToMethodAndPath() {
        #expect(Naming.toolName(operationId: nil, method: "GET", path: "/pets/{petId}") == "get_pets_pet_id")
        #expect(Naming.toolName(operationId: "日本", method: "DELETE", path: "/a") == "delete_a")
        let long = String(repeating: "veryLongName", count: 10)
        #expect(Naming.toolName(operationId: long, method: "GET", path: "/").count <= 64)
    }

    @Test func longNamesDropMiddleWordsAndStayDistinct() {
        // Two GitHub-length names that differ only at the end.
        let first = "listRepositoryActionsWorkflowRunsForAnEnvironmentDeploymentReviewByRunIdAndAttempt"
        let second = "listRepositoryActionsWorkflowRunsForAnEnvironmentDeploymentReviewByRunIdAndAttempts"
        let a = Naming.toolName(operationId: first, method: "GET", path: "/")
        let b = Naming.toolName(operationId: second, method: "GET", path: "/")
        for name in [a, b] {
            #expect(name.count <= 64 && !name.hasSuffix("_") && !name.contains("__"), "\(name)")
            #expect(name.hasPrefix("list_repository"), "the verb and object stay: \(name)")
            #expect(name.contains("attempt"), "the last word stays: \(name)")
        }
        #expect(a != b)
        #expect(Naming.toolName(operationId: first, method: "GET", path: "/") == a, "stable")
        #expect(Naming.toolName(operationId: "listPets", method: "GET", path: "/") == "list_pets", "short names are untouched")
    }

    @Test func comparisonSuffixesBecomeWords() {
        #expect(Naming.parameterName("StartTime<") == "StartTime_before")
        #expect(Naming.parameterName("StartTime>") == "StartTime_after")
        #expect(Naming.parameterName("DateCreated<=") == "DateCreated_at_or_before")
        #expect(Naming.parameterName("DateCreated>=") == "DateCreated_at_or_after")
    }

    @Test func uniqueNamesStayWithinTheLimit() {
        #expect(Naming.unique("list", among: []) == "list")
        #expect(Naming.unique("list", among: ["list"]) == "list_2")
        #expect(Naming.unique("list", among: ["list", "list_2"]) == "list_3")
        let long = String(repeating: "a", count: 64)
        let unique = Naming.unique(long, among: [long])
        #expect(unique.count == 64 && unique.hasSuffix("_2"))
    }

    @Test func parameterNames() {
        #expect(Naming.parameterName("petId") == "petId")
        #expect(Naming.parameterName("X-Request-ID") == "X-Request-ID")
        #expect(Naming.parameterName("filter[name]") == "filter_name_")
        #expect(Naming.parameterName("user.sub") == "user_sub")
        #expect(Naming.parameterName("") == "value")
    }

    @Test func connectorNames() {
        #expect(Naming.connectorName(fromTitle: "Swagger Petstore - OpenAPI 3.0") == "swagger-petstore-openapi-3-0")
        #expect(Naming.connectorName(fromTitle: "  Redocly Museum API ") == "redocly-museum-api")
        #expect(Naming.connectorName(fromTitle: "!!!") == "openapi")
        #expect(Naming.isValidConnectorName("museum_api-2"))
        #expect(!Naming.isValidConnectorName("museum api"))
    }
}

/// Stripe's and Box's descriptions are HTML; the model reads Markdown.
@Suite struct HTMLDescriptionTests {
    @Test func htmlBecomesMarkdown() {
        let html = """
            <p>Creates a new <a href="https://stripe.com/docs/api#customer_object">customer</a> object.</p>
            <p>Use <code>expand[]</code> for <strong>more</strong> &amp; <em>less</em>:</p><ul><li>one</li><li>two &lt;3&gt;</li></ul>
            """
        #expect(Text.clean(html) == """
            Creates a new [customer](https://stripe.com/docs/api#customer_object) object.

            Use `expand[]` for **more** & *less*:

            - one
            - two <3>
            """)
    }

    @Test func plainTextAndMarkdownAreLeftAlone() {
        let markdown = "Lists pets.\n\n- `limit` caps the page; a < b and c > d."
        #expect(Text.clean(markdown) == markdown)
        #expect(Text.clean("&lt;p&gt; is escaped <p>here</p>") == "<p> is escaped\n\nhere", "decoded entities are not read as tags again")
    }

    /// Two APIs imported into one folder both have `get_users`: a prefix
    /// keeps their tools apart, and still within the length limit.
    @Test func aToolPrefixGoesBeforeEveryName() throws {
        let long = String(repeating: "listEverything", count: 6)
        let text = """
            openapi: 3.0.3
            info: { title: Users, version: "1" }
            servers: [{ url: "https://api.example.com" }]
            paths:
              /users: { get: { operationId: getUsers, responses: { "200": { description: OK } } } }
              /all: { get: { operationId: \(long), responses: { "200": { description: OK } } } }
            """
        var options = ImportOptions(sourceName: "users.yaml")
        options.toolPrefix = "box_"
        let yaml = try OpenAPIImporter(options: options).run(text: text).yaml
        #expect(yaml.contains("\n  - name: box_get_users\n"))
        let longName = try #require(yaml.split(separator: "\n").first { $0.hasPrefix("  - name: box_list_everything") })
        #expect(longName.count - "  - name: ".count <= 64)
        options.toolPrefix = "no spaces"
        #expect(throws: ImportError.self) { try OpenAPIImporter(options: options).run(text: text) }
    }
}

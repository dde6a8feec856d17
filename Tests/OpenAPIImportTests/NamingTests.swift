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
        #expect(Naming.toolName(operationId: long, method: "GET", path: "/").count == 64)
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

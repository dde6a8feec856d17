import Testing

@testable import OpenAPIImport

@Suite struct FilterTests {
    static let paths = """
          /pets:
            get: { operationId: listPets, tags: [pets] }
            post: { operationId: createPet, tags: [pets] }
          /pets/{petId}:
            get: { operationId: getPet, tags: [pets] }
            delete: { operationId: deletePet, tags: [pets, admin] }
          /store/orders:
            get: { operationId: listOrders, tags: [store] }
          /health:
            get: {}
        """

    func tools(include: [String] = [], exclude: [String] = []) throws -> [String] {
        try Imported(document(paths: Self.paths), include: include, exclude: exclude).toolNames
    }

    @Test func everythingWithoutFilters() throws {
        #expect(try tools() == ["list_pets", "create_pet", "get_pet", "delete_pet", "list_orders", "get_health"])
    }

    @Test func includeByTagExcludeByOperationId() throws {
        #expect(try tools(include: ["tag:pets"], exclude: ["op:deletePet"]) == ["list_pets", "create_pet", "get_pet"])
    }

    @Test func includeRulesAddUpExcludeRulesWin() throws {
        #expect(try tools(include: ["path:/pets/*", "tag:STORE"]) == ["get_pet", "delete_pet", "list_orders"])
        #expect(try tools(include: ["path:/pets*"], exclude: ["tag:admin", "method:post"]) == ["list_pets", "get_pet"])
        #expect(try tools(include: ["method:GET"]) == ["list_pets", "get_pet", "list_orders", "get_health"])
        #expect(try tools(include: ["op:list*"]) == ["list_pets", "list_orders"])
    }

    @Test func operationsWithoutAnIdAreMatchedByPathOrTag() throws {
        #expect(try tools(include: ["path:/health"]) == ["get_health"])
        #expect(try tools(include: ["op:*"]).contains("get_health") == false)
    }

    @Test func rulesAreParsedStrictly() throws {
        #expect(try OperationFilter.Rule(parsing: "tag:pets") == .init(field: .tag, pattern: "pets"))
        #expect(try OperationFilter.Rule(parsing: "PATH:/a/{id}") == .init(field: .path, pattern: "/a/{id}"))
        #expect(throws: ImportError.self) { try OperationFilter.Rule(parsing: "pets") }
        #expect(throws: ImportError.self) { try OperationFilter.Rule(parsing: "colour:red") }
        #expect(throws: ImportError.self) { try OperationFilter.Rule(parsing: "op:") }
    }

    @Test func nothingSelectedIsAnError() {
        #expect(importError(document(paths: Self.paths), include: ["tag:nope"])?.message == "no operation matches the --include/--exclude filters")
    }

    @Test(arguments: [
        ("/pets/{petId}", "/pets/*", true),
        ("/pets", "/pets/*", false),
        ("/pets/1/photos", "/pets/*", true),
        ("/pets/1/photos", "/pets/*/photos", true),
        ("abc", "a?c", true),
        ("abc", "a?", false),
        ("", "*", true),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*c", false),
    ])
    func globs(text: String, pattern: String, matches: Bool) {
        #expect(Glob.matches(text, pattern: pattern) == matches)
    }
}

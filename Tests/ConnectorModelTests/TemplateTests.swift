import GatehouseJSON
import Testing

@testable import ConnectorModel

private func parse(_ text: String) throws -> StringTemplate {
    try StringTemplate(parsing: text)
}

private func templateError(_ text: String) -> String? {
    do {
        _ = try StringTemplate(parsing: text)
        return nil
    } catch {
        return error.message
    }
}

private func pathError(_ text: String) -> String? {
    do {
        _ = try PathTemplate(parsing: text)
        return nil
    } catch {
        return error.message
    }
}

// MARK: - StringTemplate

@Test func lonePlaceholderWithSpaces() throws {
    let template = try parse("{{ a }}")
    #expect(template.parts == [.reference(.argument("a"))])
    #expect(template.loneReference == .argument("a"))
    #expect(template.references == [.argument("a")])
    #expect(!template.isLiteral)
}

@Test func placeholderBetweenText() throws {
    let template = try parse("x-{{a}}-y")
    #expect(template.parts == [.text("x-"), .reference(.argument("a")), .text("-y")])
    #expect(template.loneReference == nil)
    #expect(template.references == [.argument("a")])
}

@Test func placeholderTrimsTabsAndSpaces() throws {
    #expect(try parse("{{\t b \t}}").parts == [.reference(.argument("b"))])
}

@Test func adjacentPlaceholders() throws {
    let template = try parse("{{a}}{{ b }}/{{c}}")
    #expect(template.parts == [.reference(.argument("a")), .reference(.argument("b")), .text("/"), .reference(.argument("c"))])
    #expect(template.references == [.argument("a"), .argument("b"), .argument("c")])
}

@Test func argumentNamesMayHaveDotsAndDashes() throws {
    #expect(try parse("{{ page.size-2_x }}").loneReference == .argument("page.size-2_x"))
}

@Test func userFields() throws {
    #expect(try parse("{{ user.sub }}").loneReference == .user(.subject))
    #expect(try parse("{{user.email}}").loneReference == .user(.email))
    #expect(try parse("{{ user.name }}").loneReference == .user(.name))
    #expect(try parse("{{ user.claims.tenant }}").loneReference == .user(.claim("tenant")))
    #expect(try parse("{{ user.claims.org.id }}").loneReference == .user(.claim("org.id")))
}

@Test func referenceDescriptions() {
    #expect(TemplateReference.argument("q").description == "q")
    #expect(TemplateReference.user(.subject).description == "user.sub")
    #expect(TemplateReference.user(.email).description == "user.email")
    #expect(TemplateReference.user(.name).description == "user.name")
    #expect(TemplateReference.user(.claim("tenant")).description == "user.claims.tenant")
}

@Test func plainTextIsLiteral() throws {
    let template = try parse("just text }} here")
    #expect(template.parts == [.text("just text }} here")])
    #expect(template.isLiteral)
    #expect(template.loneReference == nil)
    #expect(try parse("").parts == [])
    #expect(try parse("").isLiteral)
}

@Test func unclosedPlaceholder() {
    #expect(templateError("abc {{ x") == "unclosed '{{' in template \"abc {{ x\"")
    #expect(templateError("{{ a }} {{") == "unclosed '{{' in template \"{{ a }} {{\"")
}

@Test func unknownUserField() {
    #expect(
        templateError("{{ user.foo }}")
            == "unknown placeholder {{ user.foo }}: use user.sub, user.email, user.name or user.claims.NAME")
    #expect(
        templateError("{{ user.claims. }}")
            == "unknown placeholder {{ user.claims. }}: use user.sub, user.email, user.name or user.claims.NAME")
}

@Test func emptyAndInvalidPlaceholders() {
    #expect(templateError("{{ }}") == "empty placeholder in template \"{{ }}\"")
    #expect(templateError("{{}}") == "empty placeholder in template \"{{}}\"")
    #expect(templateError("{{ a b }}") == "invalid placeholder {{ a b }}")
    #expect(templateError("{{ a/b }}") == "invalid placeholder {{ a/b }}")
}

@Test func valueTemplateReferencesAndEquality() throws {
    let a = ValueTemplate.object([
        (key: "x", value: .string(try parse("{{ a }}"))),
        (key: "y", value: .array([.literal(1), .string(try parse("p-{{ user.sub }}"))])),
    ])
    #expect(a.references == [.argument("a"), .user(.subject)])
    let same = ValueTemplate.object([
        (key: "x", value: .string(try parse("{{a}}"))),
        (key: "y", value: .array([.literal(1), .string(try parse("p-{{user.sub}}"))])),
    ])
    #expect(a == same)
    #expect(a.hashValue == same.hashValue)
    let reordered = ValueTemplate.object([(key: "y", value: .literal(1)), (key: "x", value: .literal(1))])
    #expect(reordered != ValueTemplate.object([(key: "x", value: .literal(1)), (key: "y", value: .literal(1))]))
    #expect(ValueTemplate.literal("a").references == [])
}

// MARK: - PathTemplate

@Test func pathWithPlaceholders() throws {
    let path = try PathTemplate(parsing: "/projects/{project}/tickets/{id}")
    #expect(path.segments == [.literal("/projects/"), .parameter("project"), .literal("/tickets/"), .parameter("id")])
    #expect(path.parameterNames == ["project", "id"])
    #expect(path.source == "/projects/{project}/tickets/{id}")
}

@Test func pathWithAdjacentPlaceholdersAndSuffix() throws {
    let path = try PathTemplate(parsing: "/{a}{b}.json")
    #expect(path.segments == [.literal("/"), .parameter("a"), .parameter("b"), .literal(".json")])
}

@Test func pathWithoutPlaceholders() throws {
    #expect(try PathTemplate(parsing: "/").segments == [.literal("/")])
    #expect(try PathTemplate(parsing: "/v1/items").parameterNames == [])
}

@Test func pathRejectsQueryAndFragment() {
    #expect(pathError("/a?x=1") == "path must not contain '?' or '#'; use query parameters instead")
    #expect(pathError("/a#top") == "path must not contain '?' or '#'; use query parameters instead")
}

@Test func pathMustStartWithSlash() {
    #expect(pathError("a/b") == "path must start with '/'")
    #expect(pathError("") == "path must start with '/'")
}

@Test func pathUnclosedAndUnmatchedBraces() {
    #expect(pathError("/a/{b") == "unclosed '{' in path")
    #expect(pathError("/a/b}") == "unmatched '}' in path")
}

@Test func pathInvalidPlaceholders() {
    #expect(pathError("/{}") == "invalid path placeholder '{}'")
    #expect(pathError("/{a b}") == "invalid path placeholder '{a b}'")
    #expect(pathError("/{a{b}") == "invalid path placeholder '{a{b}'")
}

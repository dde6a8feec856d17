import Foundation
import Testing

@testable import ConnectorModel

/// The key enums are the grammar; the JSON Schema editors validate against and
/// the connector reference must say the same, or a key added in one place is
/// missing from the others.
@Suite struct GrammarDocumentationTests {
    /// One section of the grammar and where the schema describes it.
    struct SchemaSection: CustomStringConvertible, Sendable {
        var name: String
        var keys: [String]
        /// A JSON pointer to the schema object whose `properties` are the section's keys.
        var pointer: String
        /// The schema file under `schema/`.
        var file = "connector.schema.json"

        var description: String { name }
    }

    static let sections: [SchemaSection] = [
        SchemaSection(name: "ConnectorKey", keys: ConnectorKey.names, pointer: ""),
        SchemaSection(name: "AuthKind", keys: AuthKind.names, pointer: "/$defs/auth"),
        SchemaSection(name: "BasicAuthKey", keys: BasicAuthKey.names, pointer: "/$defs/auth/properties/basic"),
        SchemaSection(name: "APIKeyAuthKey", keys: APIKeyAuthKey.names, pointer: "/$defs/auth/properties/api_key"),
        SchemaSection(
            name: "ClientCredentialsKey", keys: ClientCredentialsKey.names, pointer: "/$defs/auth/properties/client_credentials"),
        SchemaSection(name: "sign_in_token", keys: [], pointer: "/$defs/auth/properties/sign_in_token"),
        SchemaSection(name: "TokenExchangeKey", keys: TokenExchangeKey.names, pointer: "/$defs/auth/properties/token_exchange"),
        SchemaSection(name: "OnBehalfOfKey", keys: OnBehalfOfKey.names, pointer: "/$defs/auth/properties/on_behalf_of"),
        SchemaSection(name: "LinkedAccountKey", keys: LinkedAccountKey.names, pointer: "/$defs/auth/properties/linked_account"),
        SchemaSection(name: "UserAPIKeyKey", keys: UserAPIKeyKey.names, pointer: "/$defs/auth/properties/user_api_key"),
        SchemaSection(name: "ToolKey", keys: ToolKey.names, pointer: "/$defs/tool"),
        SchemaSection(name: "AnnotationKey", keys: AnnotationKey.names, pointer: "/$defs/annotations"),
        SchemaSection(name: "ParameterKey", keys: ParameterKey.names, pointer: "/$defs/parameterObject"),
        SchemaSection(name: "ParameterKey.placement", keys: ParameterKey.placementNames, pointer: "/$defs/parameterPlacement"),
        SchemaSection(name: "ParameterKey.nestedSchema", keys: ParameterKey.nestedSchemaNames, pointer: "/$defs/nestedSchemaObject"),
        SchemaSection(name: "ResponseKey", keys: ResponseKey.names, pointer: "/$defs/response"),
        SchemaSection(name: "LimitsKey", keys: LimitsKey.names, pointer: "/$defs/limits"),
        SchemaSection(name: "RateLimitKey", keys: RateLimitKey.names, pointer: "/$defs/limits/properties/rate_limit/anyOf/1"),
        SchemaSection(name: "RetriesKey", keys: RetriesKey.names, pointer: "/$defs/retries/anyOf/1"),
        SchemaSection(name: "PaginationKey", keys: PaginationKey.names, pointer: "/$defs/pagination"),
        SchemaSection(name: "ResourceKey", keys: ResourceKey.names, pointer: "/$defs/resource"),
        SchemaSection(name: "PromptKey", keys: PromptKey.names, pointer: "/$defs/prompt"),
        SchemaSection(name: "PromptArgumentKey", keys: PromptArgumentKey.names, pointer: "/$defs/promptArgument"),
        SchemaSection(name: "PromptMessageKey", keys: PromptMessageKey.names, pointer: "/$defs/promptMessage"),
        SchemaSection(name: "EndpointsFileKey", keys: EndpointsFileKey.names, pointer: "", file: "endpoints.schema.json"),
        SchemaSection(name: "EndpointKey", keys: EndpointKey.names, pointer: "/$defs/endpoint", file: "endpoints.schema.json"),
    ]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: sections)
    func schemaPropertiesAreTheKeys(_ section: SchemaSection) throws {
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("schema/" + section.file))
        let root = try JSONSerialization.jsonObject(with: data)
        let object = try #require(Self.resolve(section.pointer, in: root) as? [String: Any], "no schema at \(section.pointer)")
        let properties = try #require(object["properties"] as? [String: Any], "no properties at \(section.pointer)")
        #expect(Set(properties.keys) == Set(section.keys), "schema at '\(section.pointer)' and \(section.name) differ")
        #expect(object["additionalProperties"] as? Bool == false, "schema at '\(section.pointer)' allows other keys")
    }

    /// Keys and the heading of `docs/connectors.md` that documents them.
    struct DocumentedKeys: CustomStringConvertible, Sendable {
        var heading: String
        var keys: [String]

        var description: String { heading }
    }

    /// Sections whose reference is a table of keys: the table lists exactly the keys.
    static let tables: [DocumentedKeys] = [
        DocumentedKeys(heading: "Connector keys", keys: ConnectorKey.names),
        DocumentedKeys(heading: "Tool keys", keys: ToolKey.names),
        DocumentedKeys(heading: "Parameters", keys: ParameterKey.names),
        DocumentedKeys(heading: "Endpoints for audiences (`endpoints.yaml`)", keys: EndpointKey.names),
    ]

    /// Sections documented by example or in prose: every key is mentioned.
    static let mentions: [DocumentedKeys] = [
        DocumentedKeys(heading: "Upstream authentication (`auth`)", keys: AuthKind.names + BasicAuthKey.names + APIKeyAuthKey.names),
        DocumentedKeys(
            heading: "Calling the API as the user",
            keys: ClientCredentialsKey.names + TokenExchangeKey.names + OnBehalfOfKey.names + LinkedAccountKey.names
                + UserAPIKeyKey.names),
        DocumentedKeys(heading: "Tool keys", keys: AnnotationKey.names),
        DocumentedKeys(heading: "Response shaping", keys: ResponseKey.names + ItemConditionKey.names),
        DocumentedKeys(heading: "Resources", keys: ResourceKey.names),
        DocumentedKeys(heading: "Pagination", keys: PaginationKey.names),
        DocumentedKeys(heading: "Prompts", keys: PromptKey.names + PromptArgumentKey.names + PromptMessageKey.names),
        DocumentedKeys(heading: "Limits and retries", keys: LimitsKey.names + RateLimitKey.names + RetriesKey.names),
    ]

    @Test(arguments: tables)
    func documentationTablesListTheKeys(_ section: DocumentedKeys) throws {
        let text = try Self.documentationSection(section.heading)
        #expect(Set(Self.tableKeys(text)) == Set(section.keys), "the table under '\(section.heading)' and the grammar differ")
    }

    @Test(arguments: mentions)
    func documentationMentionsTheKeys(_ section: DocumentedKeys) throws {
        let text = try Self.documentationSection(section.heading)
        for key in section.keys {
            #expect(text.contains("`\(key)`") || text.contains("\(key):"), "'\(section.heading)' does not mention \(key)")
        }
    }

    @Test func suggestionsComeFromTheGrammar() {
        #expect(YAMLDecoding.closest(to: "max_concurent", in: LimitsKey.names) == "max_concurrent")
        #expect(YAMLDecoding.closest(to: "explod", in: ParameterKey.placementNames) == "explode")
    }

    // MARK: Helpers

    static func resolve(_ pointer: String, in root: Any) -> Any? {
        var current: Any? = root
        for token in pointer.split(separator: "/").map(String.init) {
            if let object = current as? [String: Any] {
                current = object[token]
            } else if let array = current as? [Any], let index = Int(token), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// The text under a heading of `docs/connectors.md`, up to the next
    /// heading of the same or a higher level.
    static func documentationSection(_ heading: String) throws -> String {
        let text = try String(contentsOf: repository.appendingPathComponent("docs/connectors.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func level(_ line: Substring) -> Int? {
            let hashes = line.prefix { $0 == "#" }.count
            return hashes > 0 && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
        }
        guard let start = lines.firstIndex(where: { level($0) != nil && $0.drop { $0 == "#" }.dropFirst() == heading[...] })
        else {
            Issue.record("docs/connectors.md has no heading '\(heading)'")
            return ""
        }
        let depth = level(lines[start])!
        let end = lines[(start + 1)...].firstIndex { level($0).map { $0 <= depth } ?? false } ?? lines.endIndex
        return lines[(start + 1)..<end].joined(separator: "\n")
    }

    /// The backquoted keys in the first column of the markdown tables in `text`.
    static func tableKeys(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("| `") }.flatMap { row -> [String] in
            let cell = row.dropFirst().prefix { $0 != "|" }
            return cell.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
    }
}

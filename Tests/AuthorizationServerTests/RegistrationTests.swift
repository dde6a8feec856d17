import Foundation
import GatehouseJSON
import Synchronization
import Testing

@testable import AuthorizationServer

/// Metadata documents served from memory, counting fetches.
final class DocumentServer: MetadataDocumentFetcher {
    let documents: [String: (status: Int, body: [UInt8], maxAge: Int?)]
    private let count = Atomic<Int>(0)
    var fetches: Int { count.load(ordering: .relaxed) }

    init(_ documents: [String: (status: Int, body: [UInt8], maxAge: Int?)]) {
        self.documents = documents
    }

    func fetch(_ url: String, maximumBytes: Int) async throws -> (status: Int, body: [UInt8], maxAge: Int?) {
        count.add(1, ordering: .relaxed)
        return documents[url] ?? (404, [], nil)
    }
}

struct FixedHosts: HostResolver {
    var table: [String: [String]]
    func addresses(of host: String) async throws -> [String] { table[host] ?? [] }
}

@Suite("Client registration and resolution")
struct RegistrationTests {
    func withStore(_ body: (SQLiteAuthStore) async throws -> Void) async throws {
        let store = try await SQLiteAuthStore.open(path: ":memory:")
        try await store.migrate()
        try await body(store)
        try await store.close()
    }

    @Test func dynamicRegistrationOfAPublicClient() async throws {
        try await withStore { store in
            let service = RegistrationService(store: store, policy: RedirectURIPolicy(), now: { 1_700_000_000 })
            let response = try await service.register(body: Array(#"""
                {"client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback"],
                 "grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none","logo_uri":null}
                """#.utf8))
            let clientID = try #require(response["client_id"]?.stringValue)
            #expect(response["client_secret"] == nil && response["client_id_issued_at"] == 1_700_000_000)
            #expect(!response.jsonString.contains("null"), "absent fields are omitted")
            let stored = try await store.client(id: clientID)
            #expect(stored?.client.name == "Claude")
        }
    }

    @Test func confidentialClientsGetASecretStoredHashed() async throws {
        try await withStore { store in
            let service = RegistrationService(store: store, policy: RedirectURIPolicy())
            let response = try await service.register(body: Array(
                #"{"redirect_uris":["http://127.0.0.1:5000/cb"],"token_endpoint_auth_method":"client_secret_post"}"#.utf8))
            let secret = try #require(response["client_secret"]?.stringValue)
            let clientID = try #require(response["client_id"]?.stringValue)
            let stored = try #require(try await store.client(id: clientID))
            #expect(stored.secretHash == OpaqueToken.hash(secret))
        }
    }

    @Test(arguments: [
        (#"{"redirect_uris":["https://evil.example/cb"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["http://example.com/cb"]}"#, "invalid_redirect_uri"),
        (#"{"client_name":"no redirects"}"#, "invalid_redirect_uri"),
        ("not json", "invalid_client_metadata"),
    ])
    func refusedRegistrations(body: String, code: String) async throws {
        try await withStore { store in
            do {
                _ = try await RegistrationService(store: store, policy: RedirectURIPolicy()).register(body: Array(body.utf8))
                Issue.record("registered \(body)")
            } catch let error as OAuthError {
                #expect(error.code == code)
            }
        }
    }

    @Test func oversizedRegistrationsAreRefused() async throws {
        try await withStore { store in
            let body = #"{"redirect_uris":["http://127.0.0.1:1/cb"],"client_name":""# + String(repeating: "x", count: 20_000) + #""}"#
            await #expect(throws: OAuthError.self) {
                _ = try await RegistrationService(store: store, policy: RedirectURIPolicy()).register(body: Array(body.utf8))
            }
        }
    }

    static let documentURL = "https://app.example.com/oauth/client.json"
    static let document = Array(#"""
        {"client_id":"https://app.example.com/oauth/client.json","client_name":"Example",
         "redirect_uris":["http://127.0.0.1:3000/callback"],"token_endpoint_auth_method":"none"}
        """#.utf8)

    @Test func aMetadataDocumentIsFetchedOnceAndCached() async throws {
        try await withStore { store in
            let server = DocumentServer([Self.documentURL: (200, Self.document, 600)])
            let resolver = ClientResolver(
                store: store, fetcher: server, hosts: FixedHosts(table: ["app.example.com": ["93.184.216.34"]]),
                policy: RedirectURIPolicy())
            let client = try await resolver.client(id: Self.documentURL)
            #expect(client.name == "Example" && client.origin == .metadataDocument)
            _ = try await resolver.client(id: Self.documentURL)
            #expect(server.fetches == 1)
        }
    }

    @Test func aDocumentOnAPrivateAddressIsRefusedUnlessAllowed() async throws {
        try await withStore { store in
            let server = DocumentServer([Self.documentURL: (200, Self.document, nil)])
            let hosts = FixedHosts(table: ["app.example.com": ["10.0.0.5"]])
            let strict = ClientResolver(store: store, fetcher: server, hosts: hosts, policy: RedirectURIPolicy())
            await #expect(throws: OAuthError.self) { _ = try await strict.client(id: Self.documentURL) }
            #expect(server.fetches == 0, "nothing is fetched from a private address")
            let lab = ClientResolver(store: store, fetcher: server, hosts: hosts, policy: RedirectURIPolicy(), allowInternalAddresses: true)
            let client = try await lab.client(id: Self.documentURL)
            #expect(client.clientID == Self.documentURL)
        }
    }

    @Test func aDocumentWhoseClientIDDiffersFromItsURLIsRefused() async throws {
        try await withStore { store in
            let other = "https://app.example.com/oauth/other.json"
            let server = DocumentServer([other: (200, Self.document, nil)])
            let resolver = ClientResolver(
                store: store, fetcher: server, hosts: FixedHosts(table: ["app.example.com": ["93.184.216.34"]]),
                policy: RedirectURIPolicy())
            do {
                _ = try await resolver.client(id: other)
                Issue.record("accepted a document for another URL")
            } catch let error as OAuthError {
                #expect(error.code == "invalid_client" && error.description.contains("differs from its URL"))
            }
        }
    }

    @Test func unknownPlainClientIDsAreInvalidClient() async throws {
        try await withStore { store in
            let resolver = ClientResolver(store: store, fetcher: DocumentServer([:]), hosts: FixedHosts(table: [:]), policy: RedirectURIPolicy())
            await #expect(throws: OAuthError.invalidClient("unknown client nobody")) { _ = try await resolver.client(id: "nobody") }
        }
    }
}

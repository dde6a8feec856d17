import GatehouseJSON
import Testing

@testable import AuthorizationServer

@Suite("PKCE")
struct PKCETests {
    // RFC 7636 appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    @Test func theRFCExampleVerifies() {
        #expect(PKCE.challenge(for: verifier) == challenge)
        #expect(PKCE.verify(verifier: verifier, challenge: challenge))
    }

    @Test func wrongOrMalformedVerifiersFail() {
        #expect(!PKCE.verify(verifier: verifier.replacingOccurrences(of: "d", with: "e"), challenge: challenge))
        #expect(!PKCE.verify(verifier: "short", challenge: PKCE.challenge(for: "short")), "under 43 characters")
        let spaced = String(repeating: "a", count: 42) + " "
        #expect(!PKCE.verify(verifier: spaced, challenge: PKCE.challenge(for: spaced)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(PKCE.isValidChallenge(challenge))
        #expect(!PKCE.isValidChallenge(challenge + "="))
    }
}

@Suite("Redirect URIs")
struct RedirectURIPolicyTests {
    let policy = RedirectURIPolicy()

    @Test(arguments: [
        "https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback",
        "http://127.0.0.1:33418/callback", "http://localhost:8976/oauth/callback", "http://[::1]:4000/cb",
    ])
    func admitted(uri: String) throws {
        try policy.check(uri)
    }

    @Test(arguments: [
        ("http://example.com/cb", RedirectURIPolicy.Refusal.insecure("http://example.com/cb")),
        ("https://evil.example/cb", .notAllowed("https://evil.example/cb")),
        ("https://claude.ai/api/mcp/auth_callback#x", .fragment("https://claude.ai/api/mcp/auth_callback#x")),
        ("javascript:alert(1)", .malformed("javascript:alert(1)")),
        ("custom-app://callback", .insecure("custom-app://callback")),
        ("http://127.0.0.1.evil.example:80/cb", .insecure("http://127.0.0.1.evil.example:80/cb")),
        ("https://claude.ai/api/mcp/auth_callback/../x", .notAllowed("https://claude.ai/api/mcp/auth_callback/../x")),
    ])
    func refused(uri: String, refusal: RedirectURIPolicy.Refusal) {
        #expect(throws: refusal) { try policy.check(uri) }
    }

    @Test func anOperatorCanWidenTheList() throws {
        let wider = RedirectURIPolicy(allowed: RedirectURIPolicy.defaultAllowed + ["https://app.example.com/oauth/*"])
        try wider.check("https://app.example.com/oauth/callback")
        #expect(throws: RedirectURIPolicy.Refusal.notAllowed("https://app.example.com/other")) {
            try wider.check("https://app.example.com/other")
        }
    }
}

@Suite("Client metadata")
struct ClientMetadataTests {
    let policy = RedirectURIPolicy()

    @Test func aTypicalRegistration() throws {
        let metadata = try ClientMetadata(
            [
                "client_name": "Claude", "redirect_uris": ["https://claude.ai/api/mcp/auth_callback"],
                "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"], "scope": "tickets:read",
            ], policy: policy)
        #expect(metadata.name == "Claude")
        #expect(metadata.tokenEndpointAuthMethod == "none")
        let client = RegisteredClient(
            clientID: "c-1", origin: .dynamic, name: metadata.name, redirectURIs: metadata.redirectURIs, scope: metadata.scope,
            issuedAt: 1_700_000_000)
        let response = client.registrationResponse()
        #expect(response["client_id"] == "c-1")
        #expect(response["client_secret"] == nil)
        #expect(response["logo_uri"] == nil, "absent fields are left out")
        #expect(response.jsonString.contains("null") == false)
    }

    static let loopback: JSONValue = ["http://127.0.0.1:1/cb"]
    static let refusals: [(JSONValue, String)] = [
        (JSONValue.array([]), "invalid_client_metadata"),
        (JSONValue.object(["client_name": "x"]), "invalid_redirect_uri"),
        (JSONValue.object(["redirect_uris": .array([])]), "invalid_redirect_uri"),
        (JSONValue.object(["redirect_uris": ["https://evil.example/cb"]]), "invalid_redirect_uri"),
        (JSONValue.object(["redirect_uris": [1]]), "invalid_redirect_uri"),
        (JSONValue.object(["redirect_uris": loopback, "token_endpoint_auth_method": "private_key_jwt"]), "invalid_client_metadata"),
        (JSONValue.object(["redirect_uris": loopback, "grant_types": ["client_credentials"]]), "invalid_client_metadata"),
        (JSONValue.object(["redirect_uris": loopback, "response_types": ["token"]]), "invalid_client_metadata"),
        (JSONValue.object(["redirect_uris": loopback, "client_name": .string(String(repeating: "x", count: 201))]), "invalid_client_metadata"),
    ]

    @Test(arguments: refusals)
    func refused(value: JSONValue, code: String) {
        do {
            _ = try ClientMetadata(value, policy: policy)
            Issue.record("accepted \(value.jsonString)")
        } catch {
            #expect(error.error == code, "\(error.description)")
            #expect(error.json["error"] == .string(code))
        }
    }

    @Test func tooManyRedirectURIs() {
        let uris = JSONValue.array((0..<11).map { .string("http://127.0.0.1:\(1000 + $0)/cb") })
        #expect(throws: ClientMetadata.Refusal.self) { try ClientMetadata(["redirect_uris": uris], policy: policy) }
    }
}

@Suite("Client ID metadata documents")
struct ClientMetadataDocumentTests {
    let url = "https://app.example.com/oauth/client.json"
    let policy = RedirectURIPolicy()

    func document(_ object: JSONObject) -> [UInt8] { JSONValue.object(object).jsonBytes }

    @Test func aValidDocumentNamesItsURL() throws {
        let client = try ClientMetadataDocument.client(
            from: document(["client_id": .string(url), "client_name": "Example", "redirect_uris": ["http://127.0.0.1:3000/callback"]]),
            url: url, policy: policy)
        #expect(client.clientID == url && client.origin == .metadataDocument && client.isPublic)
    }

    @Test func aDocumentForAnotherURLIsRefused() {
        #expect(throws: ClientMetadataDocument.Refusal.self) {
            try ClientMetadataDocument.client(
                from: document([
                    "client_id": "https://elsewhere.example/client.json", "client_name": "x",
                    "redirect_uris": ["http://127.0.0.1:3000/callback"],
                ]), url: url, policy: policy)
        }
    }

    @Test func confidentialOrNamelessOrHugeDocumentsAreRefused() {
        let base: JSONObject = ["client_id": .string(url), "client_name": "x", "redirect_uris": ["http://127.0.0.1:3000/callback"]]
        var secretful = base
        secretful["token_endpoint_auth_method"] = "client_secret_basic"
        var nameless = base
        nameless["client_name"] = nil
        var huge = base
        huge["client_uri"] = .string("https://app.example.com/" + String(repeating: "a", count: 6000))
        for body in [document(secretful), document(nameless), document(huge), Array("not json".utf8)] {
            #expect(throws: ClientMetadataDocument.Refusal.self) { try ClientMetadataDocument.client(from: body, url: url, policy: policy) }
        }
    }

    @Test(arguments: [
        ("https://app.example.com/client.json", true), ("https://app.example.com/", false), ("http://app.example.com/c.json", false),
        ("https://user@app.example.com/c.json", false), ("https://app.example.com/a/../c.json", false),
        ("https://app.example.com/c.json#f", false), ("my-client-id", false),
    ])
    func documentURLs(clientID: String, isDocument: Bool) {
        #expect(ClientMetadataDocument.isDocumentURL(clientID) == isDocument)
    }
}

@Suite("Internal addresses")
struct AddressPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "[::1]", "224.0.0.1", "not-an-address",
        "127.1", "0127.0.0.1",
    ])
    func internalAddressesAreRefused(address: String) {
        #expect(AddressPolicy.isInternal(address))
    }

    @Test(arguments: ["93.184.216.34", "160.79.104.10", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddressesAreFetched(address: String) {
        #expect(!AddressPolicy.isInternal(address))
    }
}

@Suite("Authorization server metadata")
struct AuthorizationServerMetadataTests {
    @Test func whatClientsLookFor() {
        let json = AuthorizationServerMetadata(issuer: "https://mcp.example.com", scopes: ["tickets:read"]).json
        #expect(json["issuer"] == "https://mcp.example.com")
        #expect(json["code_challenge_methods_supported"] == ["S256"])
        #expect(json["token_endpoint_auth_methods_supported"]?.arrayValue?.contains("none") == true)
        #expect(json["client_id_metadata_document_supported"] == true)
        #expect(json["authorization_response_iss_parameter_supported"] == true)
        #expect(json["registration_endpoint"] == "https://mcp.example.com/register")
        #expect(json["scopes_supported"] == ["tickets:read"])
    }
}

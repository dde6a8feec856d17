import GatehouseTesting
import Testing

@testable import ConnectorModel

/// The `auth:` kinds whose credential is obtained at call time.
@Suite struct UserAuthDecodingTests {
    static let secrets = TestSecrets(environment: ["CLIENT_SECRET": "s3cret-value", "CLIENT_ID": "gatehouse"])

    func decode(_ authLines: String) -> ConnectorDecoder.Result {
        ConnectorDecoder(secrets: Self.secrets).decode(
            yaml: """
                connector: x
                base_url: http://a.example
                auth:
                \(authLines)
                tools:
                  - { name: t, description: d, path: /a }
                """, file: "f.yaml", directory: ".")
    }

    func auth(_ lines: String) -> UpstreamAuth? {
        let result = decode(lines)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        return result.connector?.auth
    }

    func problems(_ lines: String) -> [String] { decode(lines).diagnostics.map(\.message) }

    @Test func clientCredentials() {
        let decoded = auth(
            """
              client_credentials:
                token_url: https://idp.example/oauth2/token
                client_id: ${env:CLIENT_ID}
                client_secret: ${env:CLIENT_SECRET}
                client_auth: client_secret_post
                scope: [orders:read, orders:write]
                audience: https://orders.example
            """)
        #expect(
            decoded
                == .clientCredentials(
                    ClientCredentialsGrant(
                        client: OAuthClientSettings(
                            endpoint: .tokenURL("https://idp.example/oauth2/token"), clientID: "gatehouse", clientSecret: "s3cret-value",
                            authentication: .post, scope: "orders:read orders:write"),
                        audience: "https://orders.example")))
        #expect(decoded?.isPerUser == false)
        #expect(decoded?.isObtained == true)
    }

    @Test func theClientSecretIsRedactedFromAnswers() throws {
        let connector = try #require(
            decode(
                """
                  client_credentials: { issuer: "https://idp.example", client_id: a, client_secret: "${env:CLIENT_SECRET}" }
                """
            ).connector)
        #expect(connector.redactor.redact("echo s3cret-value") == "echo [REDACTED]")
    }

    @Test func signInTokenTakesNoKeys() {
        #expect(auth("  sign_in_token: {}") == .signInToken)
        #expect(problems("  sign_in_token: { scope: x }").first?.contains("unknown key 'scope'") == true)
    }

    @Test func tokenExchangeAndOnBehalfOf() {
        let exchange = auth(
            """
              token_exchange:
                issuer: https://sts.example
                client_id: gatehouse
                client_secret: ${env:CLIENT_SECRET}
                audience: orders-api
                requested_token_type: urn:ietf:params:oauth:token-type:jwt
            """)
        #expect(
            exchange
                == .tokenExchange(
                    TokenExchangeGrant(
                        style: .rfc8693,
                        client: OAuthClientSettings(endpoint: .issuer("https://sts.example"), clientID: "gatehouse", clientSecret: "s3cret-value"),
                        audience: "orders-api", requestedTokenType: "urn:ietf:params:oauth:token-type:jwt")))
        #expect(exchange?.isPerUser == true)
        #expect(problems("  token_exchange: { token_url: https://sts.example/token, client_id: a }").first?.contains("needs audience, resource or scope") == true)

        let obo = auth(
            """
              on_behalf_of:
                token_url: https://login.microsoftonline.com/tenant/oauth2/v2.0/token
                client_id: gatehouse
                client_secret: ${env:CLIENT_SECRET}
                scope: api://orders/.default
            """)
        #expect(obo?.kindName == "on_behalf_of")
        #expect(problems("  on_behalf_of: { token_url: https://l.example/t, client_id: a, client_secret: b }") == [
            "auth.on_behalf_of needs scope (e.g. 'api://orders/.default')"
        ])
    }

    @Test func linkedAccount() {
        #expect(
            auth(
                """
                  linked_account:
                    authorization_url: https://saas.example/oauth/authorize
                    token_url: https://saas.example/oauth/token
                    client_id: gatehouse
                    client_secret: ${env:CLIENT_SECRET}
                    scope: read
                    title: Example SaaS
                """)
                == .linkedAccount(
                    LinkedAccountProvider(
                        client: OAuthClientSettings(
                            endpoint: .tokenURL("https://saas.example/oauth/token"), clientID: "gatehouse", clientSecret: "s3cret-value",
                            scope: "read"),
                        authorizationURL: "https://saas.example/oauth/authorize", title: "Example SaaS")))
        #expect(
            problems("  linked_account: { token_url: https://s.example/t, client_id: a }")
                == ["auth.linked_account needs authorization_url with token_url (or issuer alone)"])
        #expect(
            problems("  linked_account: { issuer: https://s.example, authorization_url: https://s.example/a, client_id: a }")
                == ["auth.linked_account takes issuer or authorization_url and token_url, not both"])
    }

    @Test func userAPIKey() {
        #expect(
            auth("  user_api_key: { header: Authorization, prefix: \"Token \", title: Tracker, instructions: Create one under Settings }")
                == .userAPIKey(
                    UserAPIKeyPlacement(
                        location: .header("Authorization"), prefix: "Token ", instructions: "Create one under Settings", title: "Tracker")))
        #expect(auth("  user_api_key: { query: key }") == .userAPIKey(UserAPIKeyPlacement(location: .query("key"))))
        #expect(problems("  user_api_key: { query: key, prefix: x }") == ["auth.user_api_key.prefix needs header"])
        #expect(problems("  user_api_key: {}") == ["auth.user_api_key needs exactly one of header or query"])
    }

    @Test func endpointsMustBePlainAbsoluteURLs() {
        for bad in ["/token", "ftp://idp.example/token", "https://user:pw@idp.example/token", "https://idp.example/token#x"] {
            #expect(
                problems("  client_credentials: { token_url: \"\(bad)\", client_id: a }")
                    == ["auth.client_credentials.token_url must be an absolute http:// or https:// URL without credentials or a fragment"],
                "\(bad)")
        }
        #expect(problems("  client_credentials: { client_id: a }") == ["auth.client_credentials needs exactly one of token_url or issuer"])
        #expect(
            problems("  client_credentials: { issuer: https://i.example, client_id: a, client_auth: private_key_jwt }")
                == ["auth.client_credentials.client_auth must be client_secret_basic or client_secret_post"])
    }

    @Test func unknownKindSuggestsTheClosest() {
        #expect(problems("  linked_acount: {}").first?.contains("did you mean 'linked_account'") == true)
    }
}

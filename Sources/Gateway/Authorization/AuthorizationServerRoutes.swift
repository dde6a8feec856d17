import AuthorizationServer
import Foundation
import GatehouseJSON
import HTTPTypes
import Hummingbird
import NIOCore

/// The built-in authorization server's HTTP endpoints: metadata and keys,
/// registration, the browser's way through `/authorize` and the consent
/// page to the identity provider and back, and the token and revocation
/// endpoints. The rules live in the AuthorizationServer module; this file
/// only turns HTTP into its calls and its answers into HTTP.
struct AuthorizationServerRoutes: Sendable {
    let server: BuiltInAuthorizationServer
    /// Scopes the loaded tools need, for the metadata's `scopes_supported`.
    let toolScopes: @Sendable () -> [String]
    /// Claims the loaded tools read through `{{ user.claims.NAME }}`: read
    /// at each token request, so a reload reaches the next token issued.
    let placeholderClaims: @Sendable () -> Set<String>
    /// Whose `X-Forwarded-For` names the client for the registration limit.
    let proxies: TrustedProxies

    static let consentPath = "/authorize/consent"
    static let maximumFormBytes = 64 * 1024

    func add(to router: Router<GatewayRequestContext>) {
        let metadata = { @Sendable (_: Request, _: GatewayRequestContext) -> Response in
            Self.json(.ok, server.metadata(toolScopes: toolScopes()), cache: "public, max-age=300")
        }
        router.get("/.well-known/oauth-authorization-server", use: metadata)
        // Some clients only look for OpenID discovery; the same document
        // serves them (this server issues no ID tokens, so it claims none).
        router.get("/.well-known/openid-configuration", use: metadata)
        router.get("/jwks.json") { _, _ -> Response in
            do {
                return Self.json(.ok, try await server.keys.current().jwks, cache: "public, max-age=300")
            } catch {
                return Self.oauthError(OAuthError("server_error", "the signing keys cannot be read", status: 500))
            }
        }
        router.post("/register") { request, context -> Response in await register(request, context) }
        router.get("/authorize") { request, _ -> Response in
            guard let query = try? FormRequest.query(request.uri.query) else {
                return Self.html(.badRequest, ConsentPage.error("The sign-in request is not valid form encoding."))
            }
            return await page(try await server.flow.begin(query: query))
        }
        router.post(RouterPath(stringLiteral: Self.consentPath)) { request, _ -> Response in
            let form: [String: String]
            do {
                form = try FormRequest.decode(try await Self.body(request))
            } catch {
                return Self.html(.badRequest, ConsentPage.error("The consent form could not be read."))
            }
            guard let pending = form["pending"], let decision = form["decision"], ["approve", "deny"].contains(decision) else {
                return Self.html(.badRequest, ConsentPage.error("The consent form is incomplete. Start again from the application."))
            }
            return await page(try await server.flow.decide(
                pendingID: pending, csrfToken: form["csrf_token"], approve: decision == "approve"))
        }
        router.get("/oauth/callback") { request, _ -> Response in
            guard let query = try? FormRequest.query(request.uri.query) else {
                return Self.html(.badRequest, ConsentPage.error("The identity provider's answer is not valid form encoding."))
            }
            func first(_ name: String) -> String? { query.first { $0.name == name }?.value }
            return await page(try await server.flow.callback(state: first("state"), code: first("code"), error: first("error")))
        }
        router.post("/token") { request, _ -> Response in
            await formEndpoint(request) { form, credentials in
                Self.json(
                    .ok, try await server.tokens.handle(form: form, credentials: credentials, placeholderClaims: placeholderClaims()),
                    cache: "no-store")
            }
        }
        router.post("/revoke") { request, _ -> Response in
            await formEndpoint(request) { form, credentials in
                try await server.tokens.revoke(form: form, credentials: credentials)
                return Response(status: .ok, headers: [.cacheControl: "no-store"])
            }
        }
    }

    /// A browser step: the consent page, an error page, or a redirect.
    /// A store failure becomes a page, never a crash or a half-done grant.
    func page(_ step: @autoclosure () async throws -> AuthorizationFlow.Step) async -> Response {
        do {
            switch try await step() {
            case .consent(let consent):
                return Self.html(.ok, ConsentPage.consent(consent, action: Self.consentPath))
            case .page(let status, let message):
                return Self.html(.init(code: status), ConsentPage.error(message))
            case .redirect(let url):
                return Response(status: .found, headers: [.location: url.absoluteString, .cacheControl: "no-store"])
            }
        } catch {
            server.events.record(.init(.refused, clientID: nil, reason: "server_error: \(error)"))
            return Self.html(.internalServerError, ConsentPage.error("Something went wrong on this server. Try again shortly."))
        }
    }

    /// The token and revocation endpoints: a form body, client credentials
    /// from the body or Basic authentication, RFC 6749 error answers.
    func formEndpoint(
        _ request: Request, _ handle: ([String: String], TokenService.ClientCredentials?) async throws -> Response
    ) async -> Response {
        var clientID: String?
        do {
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false else {
                throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
            }
            let form: [String: String]
            let credentials: TokenService.ClientCredentials?
            do {
                form = try FormRequest.decode(try await Self.body(request))
                credentials = try FormRequest.credentials(header: request.headers[.authorization], form: form)
            } catch let error as FormRequest.Malformed {
                throw OAuthError.invalidRequest(error.description)
            }
            clientID = credentials?.clientID
            return try await handle(form, credentials)
        } catch let error as OAuthError {
            server.events.record(.init(.refused, clientID: clientID, reason: "\(error.code): \(error.description)"))
            var response = Self.oauthError(error)
            if error.code == "invalid_client", request.headers[.authorization] != nil {
                response.headers[.wwwAuthenticate] = "Basic realm=\"gatehouse\""
            }
            return response
        } catch is TooLarge {
            return Self.oauthError(OAuthError("invalid_request", "the request body is too large", status: 413))
        } catch {
            server.events.record(.init(.refused, clientID: clientID, reason: "server_error: \(error)"))
            return Self.oauthError(OAuthError("server_error", "the request could not be completed", status: 500))
        }
    }

    func register(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        let caller = proxies.clientAddress(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
        if case .limited(let retryAfter) = server.registrationLimiter.take(for: caller) {
            server.events.record(.init(.refused, clientID: nil, reason: "registration rate limit for \(caller)"))
            var response = Self.oauthError(OAuthError("slow_down", "too many registrations; try again later", status: 429))
            response.headers[.retryAfter] = String(max(1, Int(retryAfter.components.seconds)))
            return response
        }
        do {
            let body = try await Self.body(request, limit: server.registration.maximumBodyBytes)
            let answer = try await server.registration.register(body: body)
            server.events.record(.init(.registered, clientID: answer.objectValue?["client_id"]?.stringValue))
            return Self.json(.created, answer, cache: "no-store")
        } catch is TooLarge {
            return Self.oauthError(OAuthError("invalid_client_metadata", "the registration request is too large", status: 413))
        } catch let error as OAuthError {
            server.events.record(.init(.refused, clientID: nil, reason: "registration: \(error.code): \(error.description)"))
            return Self.oauthError(error)
        } catch {
            server.events.record(.init(.refused, clientID: nil, reason: "registration: server_error: \(error)"))
            return Self.oauthError(OAuthError("server_error", "the registration could not be stored", status: 500))
        }
    }

    struct TooLarge: Error {}

    static func body(_ request: Request, limit: Int = maximumFormBytes) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw TooLarge()
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, cache: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: cache, .pragma: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    static func oauthError(_ error: OAuthError) -> Response {
        json(.init(code: error.status), error.json, cache: "no-store")
    }

    /// Pages are never framed (a framed consent button could be clicked by
    /// trickery), never cached, and load nothing from elsewhere.
    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
                .xFrameOptions: "DENY", .referrerPolicy: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let pragma = Self("Pragma")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}

import AuthorizationServer
import HTTPTypes
import Hummingbird

/// The link pages' HTTP endpoints; the steps themselves are in
/// ``AccountLinking``.
struct LinkRoutes: Sendable {
    let linking: AccountLinking

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/link/signed-in") { request, _ -> Response in
            await respond { try await callback(request, linking.signedIn) }
        }
        router.get("/link/callback") { request, _ -> Response in
            await respond { try await callback(request, linking.providerCallback) }
        }
        router.post("/link/key") { request, _ -> Response in
            await respond {
                try await linking.saveKey(form: try await Self.form(request), cookies: request.cookies)
            }
        }
        router.get("/link/:secret") { _, context -> Response in
            await respond { try await linking.open(secret: context.parameters.get("secret") ?? "") }
        }
        router.get("/links") { request, _ -> Response in
            await respond { try await linking.accounts(cookies: request.cookies) }
        }
        router.post("/links/unlink") { request, _ -> Response in
            await respond {
                try await linking.unlink(form: try await Self.form(request), cookies: request.cookies)
            }
        }
    }

    func callback(
        _ request: Request, _ step: (String?, String?, String?, Cookies) async throws -> AccountLinking.Step
    ) async throws -> AccountLinking.Step {
        guard let query = try? FormRequest.query(request.uri.query) else {
            return .page(status: 400, .problem("The answer is not valid form encoding."))
        }
        func first(_ name: String) -> String? { query.first { $0.name == name }?.value }
        return try await step(first("state"), first("code"), first("error"), request.cookies)
    }

    /// A step as HTTP; a store or network failure becomes a page, never a
    /// half-done link.
    func respond(_ step: () async throws -> AccountLinking.Step) async -> Response {
        do {
            switch try await step() {
            case .redirect(let location, let cookie):
                var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
                if let cookie {
                    response.setCookie(
                        Cookie(
                            name: cookie.name, value: cookie.value, maxAge: Int(cookie.maxAge), path: cookie.path, secure: linking.secureCookies,
                            httpOnly: true, sameSite: .lax))
                }
                return response
            case .page(let status, let page):
                return AuthorizationServerRoutes.html(.init(code: status), page.html)
            }
        } catch is FormRequest.Malformed {
            return AuthorizationServerRoutes.html(.badRequest, LinkPage.problem("The form could not be read.").html)
        } catch {
            linking.events.record(.init(.refused, clientID: nil, reason: "link page: server_error"))
            return AuthorizationServerRoutes.html(
                .internalServerError, LinkPage.problem("Something went wrong on this server. Try again shortly.").html)
        }
    }

    static func form(_ request: Request) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false else {
            throw FormRequest.Malformed(description: "not a form")
        }
        let body: [UInt8]
        do {
            body = try await AuthorizationServerRoutes.body(request)
        } catch {
            throw FormRequest.Malformed(description: "too large")
        }
        return try FormRequest.decode(body)
    }
}

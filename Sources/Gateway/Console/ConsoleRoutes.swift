import HTTPTypes
import Hummingbird

/// The console's HTTP endpoints; the steps are in ``AdminConsole``.
/// Every answer is uncacheable, unframeable and sends no referrer
/// (``AuthorizationServerRoutes/html(_:_:)``).
struct ConsoleRoutes: Sendable {
    let console: AdminConsole

    func add(to router: Router<GatewayRequestContext>) {
        router.get(.init(stringLiteral: ConsoleSettings.path)) { request, _ -> Response in
            await respond { try await console.page(cookies: Self.cookies(request)) }
        }
        router.get(.init(stringLiteral: ConsoleSettings.redirectPath)) { request, _ -> Response in
            await respond {
                guard let query = try? FormRequest.query(request.uri.query) else {
                    return .page(status: 400, html: ConsolePage.problem("The answer is not valid form encoding."))
                }
                func first(_ name: String) -> String? { query.first { $0.name == name }?.value }
                return try await console.signedIn(state: first("state"), code: first("code"), error: first("error"), cookies: Self.cookies(request))
            }
        }
        router.post(.init(stringLiteral: AdminConsole.revokePath)) { request, _ -> Response in
            await respond { try await console.revoke(form: try await LinkRoutes.form(request), cookies: Self.cookies(request)) }
        }
                router.post(.init(stringLiteral: AdminConsole.signOutPath)) { request, _ -> Response in
            await respond { console.signOut(form: try await LinkRoutes.form(request), cookies: Self.cookies(request)) }
        }
    }

    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for name in [AdminConsole.sessionCookie, AdminConsole.signInCookie] {
            if let value = request.cookies[name]?.value { cookies[name] = value }
        }
        return cookies
    }

    /// A step as HTTP; a failure becomes a page, never a session.
    func respond(_ step: () async throws -> AdminConsole.Step) async -> Response {
        let outcome: AdminConsole.Step
        do {
            outcome = try await step()
        } catch is FormRequest.Malformed {
            outcome = .page(status: 400, html: ConsolePage.problem("The form could not be read."))
        } catch {
            console.logger.error("console page failed: \(error)")
            outcome = .page(status: 500, html: ConsolePage.problem("Something went wrong on this server. Try again shortly."))
        }
        var response: Response
        let cookies: [AdminConsole.Cookie]
        switch outcome {
        case .redirect(let location, let set):
            response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store", .xFrameOptions: "DENY"])
            cookies = set
        case .page(let status, let html, let set):
            response = AuthorizationServerRoutes.html(.init(code: status), html)
            cookies = set
        }
        for cookie in cookies {
            // Lax, not Strict: both must ride the redirects that start at the
            // identity provider. Nothing a GET does changes anything, and the
            // one form carries a token another site cannot know.
            response.setCookie(
                Cookie(
                    name: cookie.name, value: cookie.value, maxAge: Int(cookie.maxAge), path: ConsoleSettings.path,
                    secure: console.secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}

import AuthorizationServer
import Caller
import Catalog
import Crypto
import Foundation
import GatehouseJSON
import Logging

/// The operator console's steps: the sign-in at the identity provider,
/// the admin-group check, and the page itself.
///
/// Nothing is kept on the server: the sign-in's state, nonce and PKCE
/// verifier travel in a signed cookie bound to this browser, and the
/// session is a signed cookie naming the admin, so any replica with the
/// same secret serves the next request.
struct AdminConsole: Sendable {
    let settings: ConsoleSettings
    let signIn: UpstreamIdentityProvider
    /// The signed-in admin's session.
    let sessions: AccountSession
    /// The sign-in under way: state, nonce and verifier, for ten minutes.
    let pending: AccountSession
    let publicURL: String
    /// What the page shows, read at each request.
    let view: @Sendable () -> ConsoleView
    /// Clients and grants, in built-in mode.
    let grants: ConsoleGrants?
    let logger: Logger
    let now: @Sendable () -> Int64

    static let sessionCookie = "gatehouse_admin"
    static let signInCookie = "gatehouse_admin_signin"
    static let signOutPath = "/admin/sign-out"
    static let revokePath = "/admin/revoke"

    init(
        settings: ConsoleSettings, signIn: UpstreamIdentityProvider, publicURL: String, view: @escaping @Sendable () -> ConsoleView,
        grants: ConsoleGrants? = nil, logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.grants = grants
        let secret = settings.cookieSecret ?? Array(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        self.settings = settings
        self.signIn = signIn
        self.sessions = AccountSession(secret: secret, lifetime: settings.sessionLifetime, purpose: "gatehouse console sessions v1")
        self.pending = AccountSession(secret: secret, lifetime: 600, purpose: "gatehouse console sign-in v1")
        self.publicURL = publicURL
        self.view = view
        self.logger = logger
        self.now = now
    }

    /// What the browser gets.
    enum Step: Sendable, Equatable {
        case redirect(String, cookies: [Cookie] = [])
        case page(status: Int, html: String, cookies: [Cookie] = [])
    }

    struct Cookie: Sendable, Equatable {
        var name: String
        var value: String
        /// Zero removes the cookie.
        var maxAge: Int64
    }

    var secureCookies: Bool { publicURL.hasPrefix("https://") }

    /// `GET /admin`: the page for a signed-in admin; anyone else is sent
    /// to sign in.
    func page(cookies: [String: String]) async throws -> Step {
        guard let cookie = cookies[Self.sessionCookie], let session = sessions.subject(from: cookie, now: now()),
            let admin = ConsoleAdmin(session)
        else {
            return try await startSignIn()
        }
        let listing = try await grants?.listing()
        let html = ConsolePage.render(view(), admin: admin.display, formToken: sessions.formToken(for: cookie), grants: listing)
        return .page(status: 200, html: html)
    }

    /// `POST /admin/revoke`: ends one grant (`grant`), every grant of a
    /// client (`client`), or removes a user's linked account or key
    /// (`subject` and `connector`), with the session's form token.
    func revoke(form: [String: String], cookies: [String: String]) async throws -> Step {
        guard let cookie = cookies[Self.sessionCookie], let session = sessions.subject(from: cookie, now: now()),
            let admin = ConsoleAdmin(session), let token = form["csrf_token"],
            AccountSession.constantTimeEqual(token, sessions.formToken(for: cookie))
        else {
            return .page(status: 403, html: ConsolePage.problem("This form has expired. Open the console again."))
        }
        guard let grants else { return .page(status: 404, html: ConsolePage.problem("This server keeps no grants or linked accounts.")) }
        if let subject = form["subject"], let connector = form["connector"], !subject.isEmpty, !connector.isEmpty {
            let removed = try await grants.unlink(subject: subject, connector: connector, by: admin.subject)
            logger.notice(
                "console removed a linked account or key",
                metadata: ["admin": .string(admin.subject), "connector": .string(connector), "removed": .stringConvertible(removed)])
            return .redirect(publicURL + ConsoleSettings.path + "#linked")
        }
        guard grants.issuesTokens else { return .page(status: 404, html: ConsolePage.problem("This server issues no tokens of its own.")) }
        if let id = form["grant"], !id.isEmpty {
            let revoked = try await grants.revoke(grant: id, by: admin.subject, now: now())
            logger.notice("console revoked a grant", metadata: ["admin": .string(admin.subject), "revoked": .stringConvertible(revoked)])
        } else if let id = form["client"], !id.isEmpty {
            let count = try await grants.revoke(client: id, by: admin.subject, now: now())
            logger.notice(
                "console revoked a client's grants", metadata: ["admin": .string(admin.subject), "client_id": .string(id), "grants": .stringConvertible(count)])
        } else {
            return .page(status: 400, html: ConsolePage.problem("Say which grant or client to revoke."))
        }
        return .redirect(publicURL + ConsoleSettings.path + "#grants")
    }

    func startSignIn() async throws -> Step {
        let state = OpaqueToken.generate()
        let nonce = OpaqueToken.generate()
        let verifier = OpaqueToken.generate()
        let endpoints: UpstreamIdentityProvider.Endpoints
        do {
            endpoints = try await signIn.endpoints()
        } catch {
            return .page(status: 502, html: ConsolePage.problem("The identity provider cannot be reached to sign you in: \(error.description)."))
        }
        guard let url = signIn.signInURL(endpoints: endpoints, state: state, nonce: nonce, codeVerifier: verifier) else {
            return .page(status: 502, html: ConsolePage.problem("The identity provider's sign-in address is not valid."))
        }
        let binding = pending.issue(subject: [state, nonce, verifier].joined(separator: " "), now: now())
        return .redirect(url.absoluteString, cookies: [Cookie(name: Self.signInCookie, value: binding, maxAge: pending.lifetime)])
    }

    /// `GET /admin/signed-in`: back from the identity provider.
    func signedIn(state: String?, code: String?, error: String?, cookies: [String: String]) async throws -> Step {
        let forget = Cookie(name: Self.signInCookie, value: "", maxAge: 0)
        guard let binding = cookies[Self.signInCookie], let bound = pending.subject(from: binding, now: now()) else {
            return .page(status: 400, html: ConsolePage.problem(ConsolePage.lostSignIn), cookies: [forget])
        }
        let parts = bound.split(separator: " ").map(String.init)
        guard parts.count == 3, let state, AccountSession.constantTimeEqual(state, parts[0]) else {
            return .page(status: 400, html: ConsolePage.problem(ConsolePage.lostSignIn), cookies: [forget])
        }
        guard error == nil, let code else {
            return .page(status: 400, html: ConsolePage.problem("The sign-in was cancelled at the identity provider."), cookies: [forget])
        }
        let caller: CallerIdentity
        do {
            caller = try await signIn.signIn(endpoints: try await signIn.endpoints(), code: code, codeVerifier: parts[2], nonce: parts[1]).caller
        } catch {
            logger.notice("console sign-in failed", metadata: ["reason": .string(error.description)])
            return .page(status: 502, html: ConsolePage.problem("The sign-in at the identity provider did not succeed. Try again."), cookies: [forget])
        }
        guard let subject = caller.subject else {
            return .page(status: 400, html: ConsolePage.problem(ConsolePage.lostSignIn), cookies: [forget])
        }
        guard isAdmin(caller) else {
            logger.notice("console refused: not in the admin group", metadata: ["subject": .string(subject)])
            return .page(
                status: 403,
                html: ConsolePage.problem("You are signed in, but not as a member of \(settings.adminGroup), the group that may open this console."),
                cookies: [forget])
        }
        logger.notice("console sign-in", metadata: ["subject": .string(subject)])
        let admin = ConsoleAdmin(subject: subject, display: caller.name ?? caller.email ?? subject)
        return .redirect(
            publicURL + ConsoleSettings.path,
            cookies: [forget, Cookie(name: Self.sessionCookie, value: sessions.issue(subject: admin.encoded, now: now()), maxAge: sessions.lifetime)])
    }

    /// `POST /admin/sign-out`, with the session's form token.
    func signOut(form: [String: String], cookies: [String: String]) -> Step {
        guard let cookie = cookies[Self.sessionCookie], let session = sessions.subject(from: cookie, now: now()),
            let token = form["csrf_token"], AccountSession.constantTimeEqual(token, sessions.formToken(for: cookie))
        else {
            return .page(status: 403, html: ConsolePage.problem("This form has expired. Open the console again."))
        }
        if let admin = ConsoleAdmin(session) { logger.notice("console sign-out", metadata: ["subject": .string(admin.subject)]) }
        return .page(
            status: 200, html: ConsolePage.problem("You are signed out of the console."),
            cookies: [Cookie(name: Self.sessionCookie, value: "", maxAge: 0)])
    }

    /// The admin group in the ID token's group claim, a string or a list.
    func isAdmin(_ caller: CallerIdentity) -> Bool {
        switch caller.claims[settings.groupClaim] {
        case .string(let group)?: group == settings.adminGroup
        case .array(let groups)?: groups.contains { $0.stringValue == settings.adminGroup }
        default: false
        }
    }
}

/// Who the session names: the subject for the logs, a name for the page.
struct ConsoleAdmin: Sendable, Equatable {
    var subject: String
    var display: String

    /// The subject and the name, separated by a line break (which neither holds).
    var encoded: String { subject + "\n" + display }

    init(subject: String, display: String) {
        self.subject = subject
        self.display = display.replacingOccurrences(of: "\n", with: " ")
    }

    init?(_ encoded: String) {
        let parts = encoded.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        self.init(subject: String(parts[0]), display: String(parts[1]))
    }
}

import AuthorizationServer
import ConnectorModel
import Foundation
import Hummingbird
import TokenGrants
import Upstream

/// The browser side of linking: a link URL from a tool call leads through
/// a sign-in at the team's identity provider — which must name the user the
/// link was made for — to the service's own authorization (a linked
/// account) or to a form for a personal key; and a page lists what a user
/// has linked, with a way to unlink.
///
/// Every step's state is in the store, so each step may reach another
/// replica; a cookie set when the link is opened ties the steps to that
/// browser, so a link or a provider's callback forwarded elsewhere is
/// useless.
struct AccountLinking: Sendable {
    let store: any AuthStore
    let personal: PersonalCredentials
    /// The team's identity provider, with this server's `/link/signed-in`
    /// as its redirect URI.
    let signIn: UpstreamIdentityProvider
    let grants: TokenGrants
    let clients: OAuthClientResolver
    let sessions: AccountSession
    let publicURL: String
    /// The connector a link names, in the current catalogue.
    let connector: @Sendable (String) -> UpstreamTarget?
    let events: any AuthorizationEventSink
    let now: @Sendable () -> Int64

    static let signedInPath = "/link/signed-in"
    static let callbackPath = "/link/callback"
    static let keyPath = "/link/key"
    static let accountsPath = "/links"
    static let unlinkPath = "/links/unlink"
    /// How long a browser has for the sign-in and authorization steps.
    static let stepLifetime: Int64 = 600
    static let maximumKeyBytes = 4096

    /// What the browser gets.
    enum Step: Sendable, Equatable {
        case redirect(String, cookie: Cookie? = nil)
        case page(status: Int, LinkPage)
    }

    struct Cookie: Sendable, Equatable {
        var name: String
        var value: String
        var path: String
        var maxAge: Int64
    }

    var secureCookies: Bool { publicURL.hasPrefix("https://") }

    // MARK: The link URL

    /// `GET /link/{secret}`: opens the link once and sends the browser to sign in.
    func open(secret: String) async throws -> Step {
        guard secret.utf8.count <= 128, let flow = try await store.openLinkFlow(id: OpaqueToken.hash(secret), now: now()) else {
            return .page(status: 410, .problem(LinkPage.usedOrExpired))
        }
        guard let target = connector(flow.connector), Self.isLinkable(target) else {
            return .page(status: 404, .problem("The connector this link was made for is no longer served here."))
        }
        return try await startSignIn(flowID: flow.id, stage: .signIn)
    }

    /// A new browser binding and an identity-provider sign-in for a flow.
    func startSignIn(flowID: String, stage: LinkFlowState.Stage) async throws -> Step {
        let browser = OpaqueToken.generate()
        let state = OpaqueToken.generate()
        let nonce = OpaqueToken.generate()
        let verifier = OpaqueToken.generate()
        let data = LinkFlowState(stage: stage, browserHash: OpaqueToken.hash(browser), nonce: nonce, verifier: verifier)
        guard try await store.advanceLinkFlow(id: flowID, stateHash: OpaqueToken.hash(state), data: data.text, now: now()) else {
            return .page(status: 410, .problem(LinkPage.usedOrExpired))
        }
        let endpoints = try await signIn.endpoints()
        guard let url = signIn.signInURL(endpoints: endpoints, state: state, nonce: nonce, codeVerifier: verifier) else {
            return .page(status: 502, .problem("The identity provider's sign-in address is not valid."))
        }
        return .redirect(
            url.absoluteString,
            cookie: Cookie(name: Self.browserCookie(flowID), value: browser, path: "/link", maxAge: Self.stepLifetime))
    }

    // MARK: Back from the identity provider

    /// `GET /link/signed-in`: checks who signed in, then goes on to the
    /// service or the key form (or, for the accounts page, starts a session).
    func signedIn(state: String?, code: String?, error: String?, cookies: Cookies) async throws -> Step {
        guard let (flow, data) = try await take(state: state, cookies: cookies, stages: [.signIn, .account]) else {
            return .page(status: 400, .problem(LinkPage.lostFlow))
        }
        if error != nil {
            return .page(status: 400, .problem("The sign-in was cancelled at the identity provider. Nothing was linked."))
        }
        guard let code, let nonce = data.nonce, let verifier = data.verifier else {
            return .page(status: 400, .problem(LinkPage.lostFlow))
        }
        let caller: UpstreamIdentityProvider.SignIn
        do {
            caller = try await signIn.signIn(endpoints: try await signIn.endpoints(), code: code, codeVerifier: verifier, nonce: nonce)
        } catch {
            events.record(.init(.refused, clientID: nil, reason: "link sign-in: \(error.description)"))
            return .page(status: 502, .problem("The sign-in at the identity provider did not succeed. Start again from your assistant."))
        }
        guard let subject = caller.caller.subject else { return .page(status: 400, .problem(LinkPage.lostFlow)) }
        if data.stage == .account {
            try await store.finishLinkFlow(id: flow.id, now: now())
            return .redirect(
                publicURL + Self.accountsPath,
                cookie: Cookie(name: AccountSession.cookie, value: sessions.issue(subject: subject, now: now()), path: Self.accountsPath, maxAge: sessions.lifetime))
        }
        guard subject == flow.subject else {
            try await store.finishLinkFlow(id: flow.id, now: now())
            events.record(.init(.refused, clientID: nil, subject: flow.subject, reason: "link for \(flow.connector) opened by another user"))
            return .page(
                status: 403,
                .problem("You signed in as a different person than the one this link was made for. Links work only for the person who asked for them; nothing was linked."))
        }
        guard let target = connector(flow.connector) else {
            return .page(status: 404, .problem("The connector this link was made for is no longer served here."))
        }
        let title = LinkIssuer.describe(target).title
        switch target.auth {
        case .linkedAccount(let provider)?:
            let state = OpaqueToken.generate()
            let verifier = OpaqueToken.generate()
            let next = LinkFlowState(stage: .provider, browserHash: data.browserHash, verifier: verifier)
            guard try await store.advanceLinkFlow(id: flow.id, stateHash: OpaqueToken.hash(state), data: next.text, now: now()) else {
                return .page(status: 410, .problem(LinkPage.usedOrExpired))
            }
            let authorization: String
            do {
                authorization = try await clients.authorizationURL(provider)
            } catch {
                return .page(status: 502, .problem("\(title) cannot be reached to link the account: \(error.description)."))
            }
            guard var url = URLComponents(string: authorization) else {
                return .page(status: 502, .problem("\(title)'s authorization address is not valid."))
            }
            url.queryItems = (url.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: provider.client.clientID),
                URLQueryItem(name: "redirect_uri", value: publicURL + Self.callbackPath),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: PKCE.challenge(for: verifier)),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ] + (provider.client.scope.map { [URLQueryItem(name: "scope", value: $0)] } ?? [])
            return .redirect(url.string ?? authorization)
        case .userAPIKey(let placement)?:
            let formToken = OpaqueToken.generate()
            let next = LinkFlowState(stage: .key, browserHash: data.browserHash)
            guard try await store.advanceLinkFlow(id: flow.id, stateHash: OpaqueToken.hash(formToken), data: next.text, now: now()) else {
                return .page(status: 410, .problem(LinkPage.usedOrExpired))
            }
            return .page(
                status: 200, .keyForm(title: title, instructions: placement.instructions, formToken: formToken, action: Self.keyPath))
        default:
            return .page(status: 404, .problem("The connector this link was made for no longer uses linked accounts."))
        }
    }

    // MARK: Back from the service, or the key form

    /// `GET /link/callback`: the service's answer to the authorization.
    func providerCallback(state: String?, code: String?, error: String?, cookies: Cookies) async throws -> Step {
        guard let (flow, data) = try await take(state: state, cookies: cookies, stages: [.provider]) else {
            return .page(status: 400, .problem(LinkPage.lostFlow))
        }
        guard let target = connector(flow.connector), case .linkedAccount(let provider)? = target.auth else {
            return .page(status: 404, .problem("The connector this link was made for no longer uses linked accounts."))
        }
        let title = LinkIssuer.describe(target).title
        guard error == nil, let code, let verifier = data.verifier else {
            try await store.finishLinkFlow(id: flow.id, now: now())
            return .page(status: 400, .problem("\(title) did not authorize the link. Nothing was linked; ask your assistant again to retry."))
        }
        let issued: IssuedToken
        do {
            issued = try await grants.authorizationCode(
                try await clients.tokenClient(provider.client), code: code, redirectURI: publicURL + Self.callbackPath, codeVerifier: verifier)
        } catch {
            events.record(.init(.refused, clientID: nil, subject: flow.subject, reason: "link for \(flow.connector): \(error.description)"))
            return .page(status: 502, .problem("\(title) did not complete the link: \(error.description). Ask your assistant again to retry."))
        }
        let time = now()
        try await personal.save(
            .linkedAccount(accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: issued.expiresIn.map { time + $0 }),
            subject: flow.subject, connector: flow.connector)
        try await store.finishLinkFlow(id: flow.id, now: time)
        events.record(.init(.linked, clientID: nil, subject: flow.subject, reason: "linked account for \(flow.connector)"))
        return .page(status: 200, .done(title: title, what: "Your \(title) account is linked."))
    }

    /// `POST /link/key`: stores the key the user entered.
    func saveKey(form: [String: String], cookies: Cookies) async throws -> Step {
        guard let (flow, _) = try await take(state: form["flow"], cookies: cookies, stages: [.key]) else {
            return .page(status: 400, .problem(LinkPage.lostFlow))
        }
        guard let target = connector(flow.connector), case .userAPIKey? = target.auth else {
            return .page(status: 404, .problem("The connector this link was made for no longer takes personal keys."))
        }
        let title = LinkIssuer.describe(target).title
        let key = (form["key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty, key.utf8.count <= Self.maximumKeyBytes, HTTPSyntax.isHeaderValue(key) else {
            try await store.finishLinkFlow(id: flow.id, now: now())
            return .page(
                status: 400,
                .problem("That is not a usable key (empty, longer than \(Self.maximumKeyBytes) bytes, or with line breaks). Ask your assistant again for a new link."))
        }
        try await personal.save(.apiKey(key), subject: flow.subject, connector: flow.connector)
        try await store.finishLinkFlow(id: flow.id, now: now())
        events.record(.init(.linked, clientID: nil, subject: flow.subject, reason: "personal key for \(flow.connector)"))
        return .page(status: 200, .done(title: title, what: "Your \(title) key is saved."))
    }

    // MARK: The accounts page

    /// `GET /links`: the signed-in user's linked accounts and keys, or a
    /// sign-in first.
    func accounts(cookies: Cookies) async throws -> Step {
        let cookie = cookies[AccountSession.cookie]?.value
        guard let cookie, let subject = sessions.subject(from: cookie, now: now()) else {
            let id = OpaqueToken.hash(OpaqueToken.generate())
            let time = now()
            try await store.saveLinkFlow(
                LinkFlow(id: id, subject: "", connector: "", elicitationID: "", createdAt: time, expiresAt: time + Self.stepLifetime, data: "{}"))
            return try await startSignIn(flowID: id, stage: .account)
        }
        let stored = try await store.userCredentials(subject: subject)
        let rows = stored.map { record in
            LinkPage.Row(
                connector: record.connector, title: connector(record.connector).map { LinkIssuer.describe($0).title } ?? record.connector,
                kind: record.kind == "api_key" ? "personal key" : "linked account",
                since: Date(timeIntervalSince1970: TimeInterval(record.updatedAt)).formatted(.iso8601))
        }
        return .page(status: 200, .accounts(rows, formToken: sessions.formToken(for: cookie), action: Self.unlinkPath))
    }

    /// `POST /links/unlink`.
    func unlink(form: [String: String], cookies: Cookies) async throws -> Step {
        guard let cookie = cookies[AccountSession.cookie]?.value, let subject = sessions.subject(from: cookie, now: now()),
            let token = form["csrf_token"], AccountSession.constantTimeEqual(token, sessions.formToken(for: cookie)),
            let connector = form["connector"], !connector.isEmpty
        else {
            return .page(status: 403, .problem("This form has expired. Open the linked accounts page again."))
        }
        let removed = try await store.deleteUserCredentials(subject: subject, connector: connector)
        personal.forget(subject: subject, connector: connector)
        events.record(.init(.unlinked, clientID: nil, subject: subject, reason: "user unlinked \(connector) (\(removed) removed)"))
        return .redirect(publicURL + Self.accountsPath)
    }

    // MARK: Helpers

    /// The flow a state (or form token) belongs to, taken once, if this
    /// browser is the one that opened it and it is at one of `stages`.
    func take(state: String?, cookies: Cookies, stages: Set<LinkFlowState.Stage>) async throws -> (LinkFlow, LinkFlowState)? {
        guard let state, state.utf8.count <= 128, let flow = try await store.takeLinkFlow(stateHash: OpaqueToken.hash(state), now: now()),
            let data = LinkFlowState(text: flow.data), stages.contains(data.stage)
        else { return nil }
        guard let browser = cookies[Self.browserCookie(flow.id)]?.value, AccountSession.constantTimeEqual(OpaqueToken.hash(browser), data.browserHash)
        else {
            try await store.finishLinkFlow(id: flow.id, now: now())
            events.record(.init(.refused, clientID: nil, subject: flow.subject.isEmpty ? nil : flow.subject, reason: "link step from another browser"))
            return nil
        }
        return (flow, data)
    }

    /// One cookie per flow, so two links opened in one browser do not
    /// overwrite each other's binding.
    static func browserCookie(_ flowID: String) -> String { "gatehouse_link_" + flowID.prefix(16) }

    static func isLinkable(_ target: UpstreamTarget) -> Bool {
        switch target.auth {
        case .linkedAccount?, .userAPIKey?: true
        default: false
        }
    }
}

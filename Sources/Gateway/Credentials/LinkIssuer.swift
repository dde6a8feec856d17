import AuthorizationServer
import Caller
import ConnectorModel
import Foundation
import Upstream

/// Makes the link a user is sent to when a call needs a credential only
/// they can give: single use, short-lived, and bound in the store to the
/// user, the connector and the elicitation, so any replica can serve it.
///
/// The URL carries a random secret and nothing about the user; the store
/// keeps only its hash.
struct LinkIssuer: Sendable {
    let store: any AuthStore
    let publicURL: String
    let lifetime: Int64
    let now: @Sendable () -> Int64

    static let path = "/link/"

    func action(subject: String, target: UpstreamTarget, again: Bool) async throws(CredentialFailure) -> UserAction {
        let secret = OpaqueToken.generate()
        let elicitationID = UUID().uuidString.lowercased()
        let created = now()
        do {
            try await store.saveLinkFlow(
                LinkFlow(
                    id: OpaqueToken.hash(secret), subject: subject, connector: target.connector, elicitationID: elicitationID,
                    createdAt: created, expiresAt: created + lifetime, data: "{}"))
        } catch {
            throw CredentialFailure(.unavailable, message: "the link page could not be prepared (the credential store is unavailable)")
        }
        let url = publicURL + Self.path + secret
        let (what, title) = Self.describe(target)
        let verb = again ? "again" : "once"
        let message =
            switch target.auth {
            case .userAPIKey?: "Enter your \(title) API key \(verb) so the tools of \(target.connector) can act as you."
            default: "Link your \(title) account \(verb) so the tools of \(target.connector) can act as you."
            }
        return UserAction(
            elicitationID: elicitationID, url: url,
            message: message + " The link is yours alone, works once and expires in \(lifetime / 60) minutes; \(what)")
    }

    /// What the page asks for, and the service's name.
    static func describe(_ target: UpstreamTarget) -> (what: String, title: String) {
        switch target.auth {
        case .userAPIKey(let placement)?:
            ("you sign in, then enter the key.", placement.title ?? target.connector)
        case .linkedAccount(let provider)?:
            ("you sign in, then authorize the account.", provider.title ?? target.connector)
        default:
            ("", target.connector)
        }
    }
}

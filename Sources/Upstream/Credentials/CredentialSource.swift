import Caller
import ConnectorModel

/// Where the credentials that are not written in connector files come from:
/// token endpoints, the user's sign-in, the store of linked accounts and
/// keys. The seam that keeps the invoker free of OAuth and storage.
public protocol CredentialSource: Sendable {
    /// The credential for one call of `caller` to `target`.
    ///
    /// - Parameter refused: the credential the API just answered 401 to;
    ///   the source then obtains a fresh one rather than a cached one.
    func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> UpstreamCredential

    /// The API refused a fresh credential too: what the user must now do
    /// (link again, reconnect), or nil to report the API's answer.
    func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure?
}

/// Why a call has no credential; the message is written for the person
/// behind the model and never contains a credential.
public struct CredentialFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The tool sends the caller's own credential and there is no caller.
        case anonymous
        /// The user must do something in a browser first.
        case userAction(UserAction)
        /// The user must sign in again in their client; no page helps.
        case reconnect
        /// The credential could not be obtained now (an endpoint was down or
        /// refused the gateway itself).
        case unavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// A page the user must open before the call can succeed: to link an
/// account, enter a key or sign in again.
public struct UserAction: Sendable, Equatable {
    public var elicitationID: String
    public var url: String
    /// Why, for the user.
    public var message: String

    public init(elicitationID: String, url: String, message: String) {
        self.elicitationID = elicitationID
        self.url = url
        self.message = message
    }

    /// The tool error for clients that cannot open a URL elicitation: the
    /// link itself, and what to do after.
    public var fallbackText: String {
        "\(message)\nOpen this link in your browser: \(url)\nThen call the tool again."
    }
}

/// For gateways that run no connector with an obtained credential.
public struct NoCredentialSource: CredentialSource {
    public init() {}

    public func credential(for target: UpstreamTarget, caller: CallerIdentity, refused: UpstreamCredential?)
        async throws(CredentialFailure) -> UpstreamCredential
    {
        throw CredentialFailure(.unavailable, message: "\(target.auth?.kindName ?? "this") credentials are not configured on this gateway")
    }

    public func rejected(_ credential: UpstreamCredential, for target: UpstreamTarget, caller: CallerIdentity) async -> CredentialFailure? {
        nil
    }
}

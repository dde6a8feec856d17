import Crypto
import Foundation
import GatehouseJSON

/// The `requestState` of an `InputRequiredResult` (2026-07-28): what lets a
/// retried call be checked on any replica without shared memory.
///
/// It is signed with the session key under its own label, and binds the
/// caller, the tool, a digest of the arguments and the elicitation, with
/// a short expiry: a state cannot be replayed by another user, for another
/// call, or late. It grants nothing by itself — the tool decides again
/// whether the user has done what was asked.
struct RequestState: Sendable, Equatable {
    /// The caller's subject, or a mark no subject can equal for an
    /// anonymous caller, so a state issued to nobody in particular is not
    /// accepted from a signed-in user (nor the other way round).
    var principal: String
    var tool: String
    var argumentsDigest: String
    var elicitationID: String
    var expiresAt: Int64

    static let lifetime: Int64 = 600

    init(subject: String?, tool: String, arguments: JSONObject, elicitationID: String, now: Int64, lifetime: Int64 = Self.lifetime) {
        self.principal = Self.principal(subject)
        self.tool = tool
        self.argumentsDigest = Self.digest(arguments)
        self.elicitationID = elicitationID
        self.expiresAt = now + lifetime
    }

    /// States of confirmations start with this in place of an elicitation id.
    static let confirmationPrefix = "confirm:"

    /// How long a user has to answer a confirmation.
    static let confirmationLifetime: Int64 = 300

    var isConfirmation: Bool { elicitationID.hasPrefix(Self.confirmationPrefix) }

    init(principal: String, tool: String, argumentsDigest: String, elicitationID: String, expiresAt: Int64) {
        self.principal = principal
        self.tool = tool
        self.argumentsDigest = argumentsDigest
        self.elicitationID = elicitationID
        self.expiresAt = expiresAt
    }

    func sealed(with signer: SessionSigner) -> String {
        let payload = [principal, tool, argumentsDigest, elicitationID, String(expiresAt)]
            .map { SessionSigner.base64URL(Data($0.utf8)) }.joined(separator: ".")
        return payload + "." + signer.signature(Self.label + payload)
    }

    /// Why a state was refused, for the `-32602` message.
    enum Refusal: Error, Equatable {
        case malformed, expired, otherCaller, otherCall
    }

    /// The state, if the signature holds and it is for this caller, tool and
    /// arguments and has not expired.
    static func open(
        _ text: String, signer: SessionSigner, subject: String?, tool: String, arguments: JSONObject, now: Int64
    ) throws(Refusal) -> RequestState {
        guard text.utf8.count < 2048 else { throw .malformed }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 6 else { throw .malformed }
        let payload = parts[0..<5].joined(separator: ".")
        let expected = Array(signer.signature(label + payload).utf8)
        let given = Array(parts[5].utf8)
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { throw .malformed }
        let fields = parts[0..<5].map { SessionSigner.decodeBase64URL(String($0)).map { String(decoding: $0, as: UTF8.self) } }
        guard fields.allSatisfy({ $0 != nil }), let expiresAt = Int64(fields[4]!) else { throw .malformed }
        let state = RequestState(
            principal: fields[0]!, tool: fields[1]!, argumentsDigest: fields[2]!, elicitationID: fields[3]!, expiresAt: expiresAt)
        guard state.expiresAt > now else { throw .expired }
        guard state.principal == principal(subject) else { throw .otherCaller }
        guard state.tool == tool, state.argumentsDigest == digest(arguments) else { throw .otherCall }
        return state
    }

    /// Keeps these signatures apart from session ids made with the same key:
    /// neither can be passed off as the other.
    static let label = "request-state|"

    static func principal(_ subject: String?) -> String {
        subject.map { "sub:" + $0 } ?? "anonymous"
    }

    /// SHA-256 of the arguments with every object's keys sorted, so a
    /// client that sends the same arguments in another order matches.
    static func digest(_ arguments: JSONObject) -> String {
        SessionSigner.base64URL(Data(SHA256.hash(data: JSONValue.object(arguments).canonicalBytes)))
    }
}

import ConnectorModel
import Crypto
import ExtrasBase64
import Foundation
import GatehouseJSON

/// The cursors a paginated tool hands out: opaque to the model, signed, and
/// bound to the tool, its other arguments and the caller, so a cursor
/// cannot be edited, moved to another tool or call, or used by another
/// user. Any replica with the same key reads them.
public struct PageCursors: Sendable {
    let key: SymmetricKey
    /// How long a cursor stays usable.
    public var lifetime: Duration = .seconds(24 * 3600)

    public init(secret: [UInt8]) {
        key = SymmetricKey(data: SHA256.hash(data: Array("page-cursors|".utf8) + secret))
    }

    /// A key of this process only: cursors outlive neither it nor a restart.
    public static func random() -> PageCursors {
        PageCursors(secret: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    struct Payload: Codable, Equatable {
        var tool: String
        var arguments: String
        var caller: String
        var state: PageState
        var expires: Int64
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed, expired, otherCall

        public var description: String {
            switch self {
            case .malformed: "the cursor was not issued by this server or was altered"
            case .expired: "the cursor has expired; list again from the start"
            case .otherCall: "the cursor belongs to another tool, other arguments or another user"
            }
        }
    }

    public func seal(_ state: PageState, tool: String, arguments: JSONObject, caller: String?, now: Date = Date()) -> String {
        let payload = Payload(
            tool: tool, arguments: Self.digest(arguments), caller: caller ?? "", state: state,
            expires: Int64(now.timeIntervalSince1970) + lifetime.components.seconds)
        let body = (try? JSONEncoder().encode(payload)) ?? Data()
        let encoded = Self.base64URL(body)
        return encoded + "." + Self.base64URL(HMAC<SHA256>.authenticationCode(for: Data(encoded.utf8), using: key))
    }

    public func open(_ cursor: String, tool: String, arguments: JSONObject, caller: String?, now: Date = Date()) throws(Refusal) -> PageState {
        guard cursor.utf8.count < 8192, let dot = cursor.lastIndex(of: ".") else { throw .malformed }
        let encoded = String(cursor[..<dot])
        // The library's check compares in constant time.
        guard let mac = Self.decodeBase64URL(String(cursor[cursor.index(after: dot)...])),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(encoded.utf8), using: key),
            let data = Self.decodeBase64URL(encoded), let payload = try? JSONDecoder().decode(Payload.self, from: Data(data))
        else { throw .malformed }
        guard payload.expires > Int64(now.timeIntervalSince1970) else { throw .expired }
        guard payload.tool == tool, payload.arguments == Self.digest(arguments), payload.caller == (caller ?? "") else { throw .otherCall }
        return payload.state
    }

    static func digest(_ arguments: JSONObject) -> String {
        base64URL(SHA256.hash(data: JSONValue.object(arguments).canonicalBytes))
    }

    static func base64URL<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        Base64.encodeToString(bytes: Array(bytes), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        try? Base64.decode(string: text, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}

import Crypto
import Foundation

/// The short browser session of the linked-accounts page: who signed in
/// there, until when, signed so any replica can check it. Its forms carry
/// a token derived from the session, so another site cannot post them.
struct AccountSession: Sendable {
    let key: SymmetricKey
    let lifetime: Int64

    static let cookie = "gatehouse_account"

    /// - Parameters:
    ///   - secret: the store's sealing secret; the session key is derived
    ///     from it for `purpose` alone, so a cookie of one purpose is
    ///     worthless for another.
    init(secret: [UInt8], lifetime: Int64 = 900, purpose: String = "gatehouse account sessions v1") {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Array(purpose.utf8), outputByteCount: 32)
        self.lifetime = lifetime
    }

    func issue(subject: String, now: Int64) -> String {
        let payload = Self.base64URL(Array(subject.utf8)) + "." + String(now + lifetime)
        return payload + "." + sign(payload)
    }

    /// The subject, when the cookie is ours and current.
    func subject(from cookie: String?, now: Int64) -> String? {
        guard let cookie else { return nil }
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Int64(parts[1]), expiry > now else { return nil }
        let payload = parts[0] + "." + parts[1]
        guard Self.constantTimeEqual(sign(String(payload)), String(parts[2])),
            let bytes = Self.decodeBase64URL(String(parts[0]))
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The anti-forgery token of the session's forms.
    func formToken(for cookie: String) -> String { sign("form:" + cookie) }

    func sign(_ text: String) -> String {
        Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

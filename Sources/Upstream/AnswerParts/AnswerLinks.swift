import Crypto
import ExtrasBase64
import Foundation

/// The `gatehouse://more/…` links that point at the rest of a cut answer.
///
/// A link carries everything needed to serve the next part on any replica
/// with the same key — the tool, the caller it belongs to, where the part
/// starts, a digest of the whole answer and, for calls that may be sent
/// again, their arguments — encrypted, so arguments never show in the URI,
/// and authenticated, so a link cannot be edited or moved to another user.
public struct AnswerLinks: Sendable {
    public static let scheme = "gatehouse://more/"

    let key: SymmetricKey
    /// How long a link can be read.
    public var lifetime: Duration

    public init(secret: [UInt8], lifetime: Duration = .seconds(30 * 60)) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Array("gatehouse answer parts v1".utf8), outputByteCount: 32)
        self.lifetime = lifetime
    }

    /// A key of this process only: links outlive neither it nor a restart.
    public static func random() -> AnswerLinks {
        AnswerLinks(secret: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// What a link says about the part it points at.
    public struct Part: Codable, Sendable, Equatable {
        /// Where the whole answer is kept, if it is kept.
        public var id: String
        public var tool: String
        /// The extra endpoint the call came through; empty for `/mcp`.
        public var endpoint: String
        /// The caller's subject; empty when nobody signed in.
        public var caller: String
        /// The call's arguments as canonical JSON, when the call may be
        /// sent again to rebuild the answer; nil when it must not be.
        public var arguments: String?
        /// First byte of this part within the whole text.
        public var offset: Int
        /// Bytes per part: the tool's `max_bytes`.
        public var size: Int
        /// Bytes of the whole text.
        public var total: Int
        /// SHA-256 of the whole text (16 bytes, base64url): a rebuilt
        /// answer must be the same one.
        public var digest: String
        /// Seconds since 1970 after which the link is refused.
        public var expires: Int64

        public var mimeType: String?
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed, expired, otherCaller

        public var description: String {
            switch self {
            case .malformed: "the link was not issued by this server or was altered"
            case .expired: "the link has expired; call the tool again"
            case .otherCaller: "the link belongs to another user or endpoint"
            }
        }
    }

    public func uri(for part: Part) -> String {
        let plain = (try? JSONEncoder().encode(part)) ?? Data()
        let sealed = (try? ChaChaPoly.seal(plain, using: key).combined) ?? Data()
        return Self.scheme + Base64.encodeToString(bytes: Array(sealed), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    public static func isLink(_ uri: String) -> Bool { uri.hasPrefix(scheme) }

    public func open(_ uri: String, caller: String?, endpoint: String?, now: Date = Date()) throws(Refusal) -> Part {
        guard Self.isLink(uri), uri.utf8.count < 16_384,
            let sealed = try? Base64.decode(string: String(uri.dropFirst(Self.scheme.count)), options: [.base64UrlAlphabet, .omitPaddingCharacter]),
            let box = try? ChaChaPoly.SealedBox(combined: sealed), let plain = try? ChaChaPoly.open(box, using: key),
            let part = try? JSONDecoder().decode(Part.self, from: plain)
        else { throw .malformed }
        guard part.expires > Int64(now.timeIntervalSince1970) else { throw .expired }
        guard part.caller == (caller ?? ""), part.endpoint == (endpoint ?? "") else { throw .otherCaller }
        return part
    }

    public static func digest(_ text: String) -> String {
        var hasher = SHA256()
        var text = text
        // Hashed in place: the text may be megabytes long.
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return Base64.encodeToString(bytes: Array(hasher.finalize().prefix(16)), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    public static func newID() -> String {
        Base64.encodeToString(bytes: (0..<16).map { _ in UInt8.random(in: 0...255) }, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}

import Crypto
import ExtrasBase64
import Foundation
import Synchronization

/// What a legacy-era session id carries: enough for any replica to serve the
/// session without shared memory.
public struct LegacySession: Sendable, Equatable {
    public var id: String
    public var protocolVersion: String
    public var issuedAt: Int64
    /// The client declared URL-mode elicitation at `initialize`.
    public var urlElicitation = false
    /// The client declared form-mode elicitation at `initialize`.
    public var formElicitation = false
}

/// Mints and verifies `Mcp-Session-Id` values.
///
/// A session id is `payload.signature`, where the payload names the session
/// and its negotiated version and the signature is an HMAC-SHA256 under a key
/// shared by all replicas. Any replica can verify it, none needs to remember
/// it; only a terminated session is remembered, in ``SessionRevocations``.
public struct SessionSigner: Sendable {
    private let key: SymmetricKey
    public var maximumAge: Duration

    public init(secret: [UInt8], maximumAge: Duration = .seconds(24 * 3600)) {
        self.init(key: SymmetricKey(data: SHA256.hash(data: secret)), maximumAge: maximumAge)
    }

    init(key: SymmetricKey, maximumAge: Duration) {
        self.key = key
        self.maximumAge = maximumAge
    }

    /// The MAC of `bytes` under this signer's key.
    private func mac(_ bytes: some Sequence<UInt8>) -> HashedAuthenticationCode<SHA256> {
        HMAC<SHA256>.authenticationCode(for: Array(bytes), using: key)
    }

    /// A signer whose key is derived from this one under `label`: what one
    /// signs, the other refuses. Each endpoint signs with its own, so a
    /// session or request state from one endpoint is worthless at another.
    public func derived(_ label: String) -> SessionSigner {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("derived-key|" + label).utf8), using: key)
        return SessionSigner(key: SymmetricKey(data: Data(mac)), maximumAge: maximumAge)
    }

    /// A signer with a random key: sessions survive only as long as this process.
    public static func random() -> SessionSigner {
        SessionSigner(secret: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// Version 1 names the session, its protocol version and when it was
    /// issued; version 2 adds what the client can do that the server must
    /// remember (`u`: URL elicitation, `f`: form elicitation). Both stay valid.
    public func mint(protocolVersion: String, urlElicitation: Bool = false, formElicitation: Bool = false, now: Date = Date()) -> String {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let issued = Int64(now.timeIntervalSince1970)
        let flags = (urlElicitation ? "u" : "") + (formElicitation ? "f" : "")
        let payload = flags.isEmpty ? "1|\(id)|\(protocolVersion)|\(issued)" : "2|\(id)|\(protocolVersion)|\(issued)|\(flags)"
        let encoded = Self.base64URL(Data(payload.utf8))
        return encoded + "." + signature(encoded)
    }

    /// Checked on every request of a legacy session, so on bytes: the
    /// signature of the payload as written is compared with the one given,
    /// as text (one spelling only) and in constant time, before the payload
    /// is decoded.
    public func verify(_ token: String, now: Date = Date()) -> LegacySession? {
        let utf8 = token.utf8
        guard utf8.count < 512, let dot = utf8.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let encoded = utf8[..<dot]
        let given = utf8[utf8.index(after: dot)...]
        let expected = Self.base64URL(mac(encoded)).utf8
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0,
            let data = try? Base64.decode(bytes: encoded, options: Self.decoding)
        else { return nil }
        let payload = String(decoding: data, as: UTF8.self)
        let fields = payload.split(separator: "|", omittingEmptySubsequences: false)
        guard (fields.count == 4 && fields[0] == "1") || (fields.count == 5 && fields[0] == "2"), let issuedAt = Int64(fields[3])
        else { return nil }
        let age = Int64(now.timeIntervalSince1970) - issuedAt
        guard age >= -300, age <= maximumAge.components.seconds else { return nil }
        return LegacySession(
            id: String(fields[1]), protocolVersion: String(fields[2]), issuedAt: issuedAt,
            urlElicitation: fields.count == 5 && fields[4].contains("u"), formElicitation: fields.count == 5 && fields[4].contains("f"))
    }

    func signature(_ payload: String) -> String {
        Self.base64URL(mac(payload.utf8))
    }

    private static let decoding: Base64.DecodingOptions = [.base64UrlAlphabet, .omitPaddingCharacter]

    /// Base64url without padding.
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Base64.encodeToString(bytes: Array(bytes), options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    static func decodeBase64URL(_ text: String) -> Data? {
        (try? Base64.decode(bytes: text.utf8, options: decoding)).map { Data($0) }
    }
}

/// Sessions ended with DELETE on this replica.
///
/// Termination is the one piece of session state that is remembered; it is
/// kept until the session would have expired anyway, and bounded in size.
public final class SessionRevocations: Sendable {
    private let revoked = Mutex<[String: Int64]>([:])
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Remembers a terminated session. When full, sessions old enough to
    /// have expired anyway are forgotten first.
    public func revoke(_ session: LegacySession, maximumAge: Duration = .seconds(24 * 3600), now: Date = Date()) {
        revoked.withLock { entries in
            if entries.count >= capacity {
                let cutoff = Int64(now.timeIntervalSince1970) - maximumAge.components.seconds
                entries = entries.filter { $0.value >= cutoff }
                if entries.count >= capacity, let oldest = entries.min(by: { $0.value < $1.value }) {
                    entries.removeValue(forKey: oldest.key)
                }
            }
            entries[session.id] = session.issuedAt
        }
    }

    public func isRevoked(_ session: LegacySession) -> Bool {
        revoked.withLock { $0[session.id] != nil }
    }
}

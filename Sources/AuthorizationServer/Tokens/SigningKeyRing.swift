import GatehouseJSON
import JWTKit

/// The keys this server signs access tokens with: the newest signs, the
/// older ones stay published in the JWKS until every token they signed has
/// expired, so a rotation never invalidates a token in use.
public struct SigningKeyRing: Sendable {
    /// One key as it is stored: PEM of the private key (encrypted at rest by
    /// the store), its id and when it was made.
    public struct Material: Sendable, Equatable {
        public var kid: String
        public var privateKeyPEM: String
        public var createdAt: Int64

        /// A new ES256 key; its id is unique and says nothing about the key.
        public static func generate(now: Int64) -> Material {
            let key = ES256PrivateKey()
            return Material(kid: OpaqueToken.generate(bytes: 12), privateKeyPEM: key.pemRepresentation, createdAt: now)
        }
    }

    struct Key: Sendable {
        var material: Material
        var signer: any JWTAlgorithm
        var jwk: JSONValue
    }

    let keys: [Key]

    public enum Failure: Error, CustomStringConvertible {
        case noKeys
        case unreadableKey(String)

        public var description: String {
            switch self {
            case .noKeys: "the signing key ring is empty"
            case .unreadableKey(let kid): "signing key \(kid) could not be read"
            }
        }
    }

    /// - Parameter materials: any order; the newest becomes the signing key.
    public init(_ materials: [Material]) async throws(Failure) {
        guard !materials.isEmpty else { throw .noKeys }
        var keys: [Key] = []
        for material in materials.sorted(by: { $0.createdAt > $1.createdAt }) {
            do {
                let key = try ES256PrivateKey(pem: material.privateKeyPEM)
                guard let parameters = key.parameters else { throw Failure.unreadableKey(material.kid) }
                let collection = JWTKeyCollection()
                await collection.add(ecdsa: key, kid: JWKIdentifier(string: material.kid))
                let signer = try await collection.getKey(for: JWKIdentifier(string: material.kid))
                let jwk: JSONValue = [
                    "kty": "EC", "crv": "P-256", "x": .string(parameters.x), "y": .string(parameters.y),
                    "kid": .string(material.kid), "alg": "ES256", "use": "sig",
                ]
                keys.append(Key(material: material, signer: signer, jwk: jwk))
            } catch {
                throw .unreadableKey(material.kid)
            }
        }
        self.keys = keys
    }

    public var signingKeyID: String { keys[0].material.kid }
    public var materials: [Material] { keys.map(\.material) }

    /// The public keys, for `/jwks.json`.
    public var jwks: JSONValue { ["keys": .array(keys.map(\.jwk))] }

    /// `header.payload.signature`, signed by the newest key.
    public func sign(_ claims: JSONObject) throws -> String {
        let key = keys[0]
        let header: JSONObject = ["alg": "ES256", "typ": "at+jwt", "kid": .string(key.material.kid)]
        let input = base64URL(JSONValue.object(header).jsonBytes) + "." + base64URL(JSONValue.object(claims).jsonBytes)
        let signature = try key.signer.sign(Array(input.utf8))
        return input + "." + base64URL(signature)
    }

    /// The key set after a rotation check: a new key when the newest is
    /// older than `rotateAfter`, and without keys retired longer ago than
    /// the longest token lifetime (their tokens have all expired).
    public static func rotate(_ materials: [Material], now: Int64, rotateAfter: Int64, tokenLifetime: Int64) -> [Material] {
        var materials = materials.sorted { $0.createdAt > $1.createdAt }
        if materials.first.map({ now - $0.createdAt >= rotateAfter }) ?? true {
            materials.insert(.generate(now: now), at: 0)
        }
        // A key stops signing when the next one is made; keep it until the
        // tokens it signed have expired.
        var kept: [Material] = []
        for (index, material) in materials.enumerated() {
            if index == 0 { kept.append(material); continue }
            let retiredAt = materials[index - 1].createdAt
            if now - retiredAt < tokenLifetime { kept.append(material) }
        }
        return kept
    }
}

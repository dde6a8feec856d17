import Foundation
import Testing

@testable import MCPProtocol

@Suite("Session ids")
struct SessionTokenTests {
    let signer = SessionSigner(secret: testSecret, maximumAge: .seconds(3600))
    let issued = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func mintedTokenVerifies() throws {
        let token = signer.mint(protocolVersion: "2025-06-18", now: issued)
        let session = try #require(signer.verify(token, now: issued))
        #expect(session.protocolVersion == "2025-06-18")
        #expect(session.issuedAt == 1_800_000_000)
        #expect(session.id.count == 32)
        #expect(session.id.allSatisfy { $0.isHexDigit })
        #expect(token.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        #expect(token.split(separator: ".").count == 2)
    }

    @Test func tokensAreUnique() {
        let tokens = (0..<200).map { _ in signer.mint(protocolVersion: "2025-11-25", now: issued) }
        #expect(Set(tokens).count == tokens.count)
        let ids = tokens.compactMap { signer.verify($0, now: issued)?.id }
        #expect(Set(ids).count == tokens.count)
    }

    @Test func sameSecretVerifiesElsewhereOtherSecretDoesNot() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        #expect(SessionSigner(secret: testSecret).verify(token, now: issued) != nil)
        #expect(SessionSigner(secret: Array("other".utf8)).verify(token, now: issued) == nil)
        #expect(SessionSigner.random().verify(token, now: issued) == nil)
    }

    // MARK: Expiry

    @Test func expiresAfterTheMaximumAge() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        #expect(signer.verify(token, now: issued.addingTimeInterval(1)) != nil)
        #expect(signer.verify(token, now: issued.addingTimeInterval(3600)) != nil)
        #expect(signer.verify(token, now: issued.addingTimeInterval(3601)) == nil)
        #expect(signer.verify(token, now: issued.addingTimeInterval(30 * 24 * 3600)) == nil)
    }

    @Test func toleratesSmallClockSkewOnly() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        #expect(signer.verify(token, now: issued.addingTimeInterval(-300)) != nil)
        #expect(signer.verify(token, now: issued.addingTimeInterval(-301)) == nil)
        #expect(signer.verify(token, now: issued.addingTimeInterval(-86_400)) == nil)
    }

    @Test func defaultMaximumAgeIsOneDay() {
        let daily = SessionSigner(secret: testSecret)
        let token = daily.mint(protocolVersion: "2025-11-25", now: issued)
        #expect(daily.verify(token, now: issued.addingTimeInterval(86_400)) != nil)
        #expect(daily.verify(token, now: issued.addingTimeInterval(86_401)) == nil)
    }

    // MARK: Tampering

    @Test func changingAnyCharacterBreaksTheToken() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        let bytes = Array(token.utf8)
        var accepted: [Int] = []
        for index in bytes.indices {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "x"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")]
            where replacement != bytes[index] {
                var tampered = bytes
                tampered[index] = replacement
                if signer.verify(String(decoding: tampered, as: UTF8.self), now: issued) != nil { accepted.append(index) }
            }
        }
        #expect(accepted.isEmpty, "tampered tokens accepted at offsets \(accepted)")
    }

    @Test func flippingAnyBitBreaksTheToken() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        let bytes = Array(token.utf8)
        for index in bytes.indices {
            for bit in 0..<7 {
                var tampered = bytes
                tampered[index] ^= 1 << bit
                let text = String(decoding: tampered, as: UTF8.self)
                #expect(signer.verify(text, now: issued) == nil, "bit \(bit) of byte \(index)")
            }
        }
    }

    @Test func truncatingOrExtendingBreaksTheToken() {
        let token = signer.mint(protocolVersion: "2025-11-25", now: issued)
        #expect(signer.verify(String(token.dropLast()), now: issued) == nil)
        #expect(signer.verify(String(token.dropFirst()), now: issued) == nil)
        #expect(signer.verify(token + "A", now: issued) == nil)
        #expect(signer.verify("A" + token, now: issued) == nil)
        #expect(signer.verify(token + ".", now: issued) == nil)
        #expect(signer.verify(token + "=", now: issued) == nil)
    }

    @Test func swappingSignaturesBetweenTokensFails() throws {
        let one = signer.mint(protocolVersion: "2025-11-25", now: issued)
        let two = signer.mint(protocolVersion: "2025-03-26", now: issued)
        let payload = try #require(one.split(separator: ".").first)
        let signature = try #require(two.split(separator: ".").last)
        #expect(signer.verify("\(payload).\(signature)", now: issued) == nil)
    }

    @Test func rewritingThePayloadFails() throws {
        let token = signer.mint(protocolVersion: "2025-03-26", now: issued)
        let signature = try #require(token.split(separator: ".").last)
        let session = try #require(signer.verify(token, now: issued))
        let forgedPayload = SessionSigner.base64URL(Data("1|\(session.id)|2025-11-25|\(session.issuedAt)".utf8))
        #expect(signer.verify("\(forgedPayload).\(signature)", now: issued) == nil)
    }

    @Test(arguments: [
        "", ".", "..", "abc", "a.b", ".sig", "payload.", "🙂.🙂", "a.b.c", String(repeating: "A", count: 600),
        String(repeating: "A", count: 300) + "." + String(repeating: "B", count: 300),
        "MXxhYmN8MjAyNS0xMS0yNXwxODAwMDAwMDAw.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])
    func garbageIsRejected(token: String) {
        #expect(signer.verify(token, now: issued) == nil)
    }

    // MARK: Revocations

    @Test func revokedSessionsAreRemembered() throws {
        let revocations = SessionRevocations()
        let one = try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25", now: issued), now: issued))
        let two = try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25", now: issued), now: issued))
        #expect(!revocations.isRevoked(one))
        revocations.revoke(one)
        #expect(revocations.isRevoked(one))
        #expect(!revocations.isRevoked(two))
        revocations.revoke(one)
        #expect(revocations.isRevoked(one))
    }

    @Test func revocationsStayWithinCapacity() throws {
        let revocations = SessionRevocations(capacity: 3)
        var sessions: [LegacySession] = []
        for offset in 0..<3 {
            let now = issued.addingTimeInterval(Double(offset))
            sessions.append(try #require(signer.verify(signer.mint(protocolVersion: "2025-11-25", now: now), now: now)))
        }
        for session in sessions { revocations.revoke(session) }
        #expect(sessions.allSatisfy { revocations.isRevoked($0) })
    }

    // MARK: base64url helpers

    @Test func base64URLRoundTrips() {
        for length in 0..<40 {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) })
            let text = SessionSigner.base64URL(data)
            #expect(!text.contains("+") && !text.contains("/") && !text.contains("="))
            #expect(SessionSigner.decodeBase64URL(text) == data)
        }
    }
}

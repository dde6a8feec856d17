/// Moves everything sealed in a store to the current storage secret, the
/// last step of changing `GATEHOUSE_AUTH_STORE_SECRET`: afterwards the
/// previous secrets are no longer needed.
///
/// A value no known secret opens is counted and left as it is, never
/// destroyed: the operator may still find the secret it needs.
public enum StoreResealing {
    public struct Report: Sendable, Equatable, CustomStringConvertible {
        public var resealed = 0
        public var alreadyCurrent = 0
        public var unreadable = 0

        public var description: String {
            "re-sealed \(resealed), already current \(alreadyCurrent), unreadable \(unreadable)"
        }
    }

    public static func reseal(_ store: any AuthStore, box: SecretBox) async throws -> Report {
        var report = Report()
        for (record, sealed) in try await store.sealedRecords() {
            if box.isCurrent(sealed) {
                report.alreadyCurrent += 1
                continue
            }
            guard let plain = try? box.open(sealed) else {
                report.unreadable += 1
                continue
            }
            try await store.replaceSealed(record, sealed: try box.seal(plain))
            report.resealed += 1
        }
        return report
    }
}

/// One sealed value in the store, wherever it lives.
public enum SealedRecord: Sendable, Hashable {
    case signingKey(kid: String)
    case upstreamTokens(subject: String)
    case userCredential(subject: String, connector: String)
}

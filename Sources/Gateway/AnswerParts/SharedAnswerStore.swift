import AuthorizationServer
import Foundation
import Logging
import Upstream

/// Answers that cannot be rebuilt, kept in the authorization store that
/// replicas share, sealed like everything else there. A failure to keep
/// or read one only costs the further parts, never the call.
struct SharedAnswerStore: AnswerStore {
    let store: CredentialStore
    let logger: Logger

    func save(id: String, caller: String, text: String, expires: Date) async {
        do {
            try await store.store.saveAnswerPart(
                id: id, subject: caller, sealed: store.box.seal(Array(text.utf8)), expiresAt: Int64(expires.timeIntervalSince1970),
                now: Int64(Date().timeIntervalSince1970))
        } catch {
            logger.warning("cannot keep the rest of a cut answer in the store", metadata: ["error": .string("\(error)")])
        }
    }

    func load(id: String, caller: String, now: Date) async -> String? {
        do {
            guard let sealed = try await store.store.answerPart(id: id, subject: caller, now: Int64(now.timeIntervalSince1970)) else { return nil }
            return String(decoding: try store.box.open(sealed), as: UTF8.self)
        } catch {
            logger.warning("cannot read the rest of a cut answer from the store", metadata: ["error": .string("\(error)")])
            return nil
        }
    }
}

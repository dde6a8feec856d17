import GatehouseJSON

/// What a link flow keeps in the store between its browser steps: which
/// step comes next, the secrets of the sign-in under way, and the hash of
/// the cookie that ties the flow to the browser that opened the link.
/// Never a credential.
struct LinkFlowState: Sendable, Equatable {
    enum Stage: String, Sendable {
        /// Signing in at the team's identity provider, to prove who opened the link.
        case signIn = "sign_in"
        /// Authorizing at the linked account's service.
        case provider
        /// Entering a personal key.
        case key
        /// Signing in to see one's linked accounts.
        case account
    }

    var stage: Stage
    var browserHash: String
    var nonce: String?
    var verifier: String?

    var text: String {
        var object: JSONObject = ["stage": .string(stage.rawValue), "browser": .string(browserHash)]
        if let nonce { object["nonce"] = .string(nonce) }
        if let verifier { object["verifier"] = .string(verifier) }
        return JSONValue.object(object).jsonString
    }

    init(stage: Stage, browserHash: String, nonce: String? = nil, verifier: String? = nil) {
        self.stage = stage
        self.browserHash = browserHash
        self.nonce = nonce
        self.verifier = verifier
    }

    init?(text: String) {
        guard let json = try? JSONParser.parse(Array(text.utf8)), let stage = json["stage"]?.stringValue.flatMap(Stage.init),
            let browser = json["browser"]?.stringValue
        else { return nil }
        self.init(stage: stage, browserHash: browser, nonce: json["nonce"]?.stringValue, verifier: json["verifier"]?.stringValue)
    }
}

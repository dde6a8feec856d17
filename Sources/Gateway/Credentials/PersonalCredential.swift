import GatehouseJSON

/// What a user stored for one connector, as sealed in the store: the
/// tokens of a linked account, or a personal API key.
enum PersonalCredential: Sendable, Equatable {
    case linkedAccount(accessToken: String, refreshToken: String?, expiresAt: Int64?)
    case apiKey(String)

    /// The store's `kind` column.
    var kind: String {
        switch self {
        case .linkedAccount: "linked_account"
        case .apiKey: "api_key"
        }
    }

    var value: String {
        switch self {
        case .linkedAccount(let accessToken, _, _): accessToken
        case .apiKey(let key): key
        }
    }

    var json: JSONValue {
        switch self {
        case .linkedAccount(let accessToken, let refreshToken, let expiresAt):
            var object: JSONObject = ["access_token": .string(accessToken)]
            if let refreshToken { object["refresh_token"] = .string(refreshToken) }
            if let expiresAt { object["expires_at"] = .int(expiresAt) }
            return .object(object)
        case .apiKey(let key):
            return .object(["api_key": .string(key)])
        }
    }

    init?(json: JSONValue) {
        if let key = json["api_key"]?.stringValue {
            self = .apiKey(key)
        } else if let access = json["access_token"]?.stringValue {
            self = .linkedAccount(
                accessToken: access, refreshToken: json["refresh_token"]?.stringValue, expiresAt: json["expires_at"]?.integerValue)
        } else {
            return nil
        }
    }
}

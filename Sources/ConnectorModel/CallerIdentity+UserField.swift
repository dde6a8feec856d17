import Caller
import GatehouseJSON

extension CallerIdentity {
    /// The value a `{{ user.… }}` placeholder renders.
    public func value(of field: UserField) -> JSONValue? {
        switch field {
        case .subject: subject.map(JSONValue.string)
        case .email: email.map(JSONValue.string)
        case .name: name.map(JSONValue.string)
        case .claim(let claim): claims[claim]
        }
    }
}

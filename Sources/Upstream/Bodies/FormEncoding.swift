import ConnectorModel
import GatehouseJSON

/// `application/x-www-form-urlencoded` from a JSON object: nested objects
/// as `outer[inner]`, lists repeated (`form`) or in brackets
/// (`form_brackets`), `null` members left out.
enum FormEncoding {
    static func encode(_ value: JSONValue, brackets: Bool) throws(RequestBuilder.ArgumentError) -> [UInt8] {
        guard case .object(let object) = value else {
            throw RequestBuilder.ArgumentError(message: "a form body must be an object of fields")
        }
        var pairs: [(String, String)] = []
        for (key, member) in object { try flatten(member, name: key, brackets: brackets, into: &pairs, depth: 0) }
        var body = ""
        for (index, (name, text)) in pairs.enumerated() {
            if index > 0 { body += "&" }
            body += PercentEncoding.encode(name) + "=" + PercentEncoding.encode(text)
        }
        return Array(body.utf8)
    }

    static func flatten(
        _ value: JSONValue, name: String, brackets: Bool, into pairs: inout [(String, String)], depth: Int
    ) throws(RequestBuilder.ArgumentError) {
        guard depth < 32 else { throw RequestBuilder.ArgumentError(message: "'\(name)' is nested too deeply for a form body") }
        switch value {
        case .null:
            return
        case .object(let object):
            for (key, member) in object { try flatten(member, name: "\(name)[\(key)]", brackets: brackets, into: &pairs, depth: depth + 1) }
        case .array(let items):
            for (index, item) in items.enumerated() {
                switch item {
                case .object, .array:
                    try flatten(item, name: "\(name)[\(index)]", brackets: brackets, into: &pairs, depth: depth + 1)
                default:
                    try flatten(item, name: brackets ? "\(name)[]" : name, brackets: brackets, into: &pairs, depth: depth + 1)
                }
            }
        default:
            pairs.append((name, try RequestBuilder.scalarText(value, name: name, joiner: ",")))
        }
    }
}

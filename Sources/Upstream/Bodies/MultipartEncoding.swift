import ConnectorModel
import ExtrasBase64
import GatehouseJSON

/// `multipart/form-data` from a JSON object: one part per member. Text
/// stays text, lists and objects go as JSON, and the members named in
/// `files` are base64 from the caller sent as the file's own bytes.
enum MultipartEncoding {
    static func encode(
        _ value: JSONValue, files: [String: String], boundary: String
    ) throws(RequestBuilder.ArgumentError) -> [UInt8] {
        guard case .object(let object) = value else {
            throw RequestBuilder.ArgumentError(message: "a multipart body must be an object of fields")
        }
        var body: [UInt8] = []
        for (key, member) in object {
            if case .null = member { continue }
            let name = quoted(key)
            body += Array("--\(boundary)\r\n".utf8)
            if let argument = files[key] {
                guard case .string(let text) = member, let bytes = decodeBase64(text) else {
                    throw RequestBuilder.ArgumentError(message: "'\(argument)' must be the file's content in base64")
                }
                body += Array("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(name)\"\r\n".utf8)
                body += Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
                body += bytes
            } else {
                switch member {
                case .object, .array:
                    body += Array("Content-Disposition: form-data; name=\"\(name)\"\r\nContent-Type: application/json\r\n\r\n".utf8)
                    body += member.jsonBytes
                default:
                    body += Array("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
                    body += Array(try RequestBuilder.scalarText(member, name: key, joiner: ",").utf8)
                }
            }
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    /// A field name inside `name="…"`: quotes, backslashes and line breaks
    /// percent-encoded as browsers do, so no value can end the header.
    static func quoted(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case "\\": out += "%5C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Standard or URL-safe base64, padded or not; nil when it is neither.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        let trimmed = text.filter { !$0.isWhitespace }
        if let bytes = try? Base64.decode(string: trimmed) { return bytes }
        return try? Base64.decode(string: trimmed, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    static func newBoundary() -> String {
        "gatehouse-" + String((0..<24).map { _ in "0123456789abcdefghijklmnopqrstuvwxyz".randomElement()! })
    }
}

import Foundation
import GatehouseJSON
import OpenAPIKit

extension JSONValue {
    /// A default or enum value from the document as JSON; nil for values
    /// JSON cannot carry.
    init?(documentValue value: Any) {
        switch value {
        case let codable as AnyCodable: self.init(documentValue: codable.value)
        case is Void, is NSNull: self = .null
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .int(Int64(number))
        case let number as Int64: self = .int(number)
        case let number as UInt:
            guard let fitting = Int64(exactly: number) else { return nil }
            self = .int(fitting)
        case let number as Double: self = .double(number)
        case let text as String: self = .string(text)
        case let elements as [Any]:
            var array: [JSONValue] = []
            for element in elements {
                guard let converted = JSONValue(documentValue: element) else { return nil }
                array.append(converted)
            }
            self = .array(array)
        case let members as [String: Any]:
            var object = JSONObject()
            for key in members.keys.sorted() {
                guard let converted = JSONValue(documentValue: members[key]!) else { return nil }
                object[key] = converted
            }
            self = .object(object)
        default:
            return nil
        }
    }

    /// The value as the given connector type, where that loses nothing: a
    /// YAML document may spell the string `"404"` so that it reads as 404.
    func coerced(to type: String) -> JSONValue? {
        switch (type, self) {
        case ("string", .string): self
        case ("string", .int(let number)): .string(String(number))
        case ("string", .double(let number)): .string("\(number)")
        case ("string", .bool(let flag)): .string(flag ? "true" : "false")
        case ("integer", .int): self
        case ("integer", .double(let number)):
            number == number.rounded() && abs(number) < 9e15 ? .int(Int64(number)) : nil
        case ("integer", .string(let text)): Int64(text).map(JSONValue.int)
        case ("number", .int), ("number", .double): self
        case ("number", .string(let text)): Double(text).map(JSONValue.double)
        case ("boolean", .bool): self
        case ("array", .array), ("object", .object): self
        default: nil
        }
    }
}

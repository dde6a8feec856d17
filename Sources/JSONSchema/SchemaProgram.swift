import Foundation
import GatehouseJSON

/// The compiled node table. Pure `$ref` nodes share the node they point at, so
/// following a reference costs nothing at validation time.
final class SchemaProgram: Sendable {
    let nodes: [SchemaNode]
    let root: Int

    init(nodes: [SchemaNode], root: Int) {
        self.nodes = nodes
        self.root = root
    }
}

/// One compiled subschema; a class so every index that refers to it (for example
/// pure `$ref`s) shares one instance.
final class SchemaNode: Sendable {
    let spec: SchemaSpec
    init(_ spec: SchemaSpec) { self.spec = spec }
}

/// A number from a schema keyword, kept exact when it was written as an integer.
enum SchemaNumber: Sendable, CustomStringConvertible {
    case int(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        default: return nil
        }
    }

    var double: Double {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        }
    }

    var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
            return d.description
        }
    }

    /// -1, 0 or 1 as `value` (a JSON number) is below, at or above `self`.
    func compare(_ value: JSONValue) -> Int {
        switch (value, self) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        default:
            let a = value.doubleValue ?? .nan
            let b = double
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    /// Whether the JSON number `value` is an integral multiple of `self` (> 0).
    func divides(_ value: JSONValue) -> Bool {
        if case .int(let a) = value, case .int(let b) = self { return a % b == 0 }
        guard let x = value.doubleValue else { return true }
        let quotient = x / double
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) < 1e-9
    }
}

/// The `type` keyword as a bit set, so a type check is a single mask test.
struct SchemaTypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = SchemaTypeSet(rawValue: 1)
    static let boolean = SchemaTypeSet(rawValue: 2)
    static let integer = SchemaTypeSet(rawValue: 4)
    static let number = SchemaTypeSet(rawValue: 8)
    static let string = SchemaTypeSet(rawValue: 16)
    static let array = SchemaTypeSet(rawValue: 32)
    static let object = SchemaTypeSet(rawValue: 64)

    static let byName: [String: SchemaTypeSet] = [
        "null": .null, "boolean": .boolean, "integer": .integer, "number": .number,
        "string": .string, "array": .array, "object": .object,
    ]

    @inline(__always) func accepts(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .int: return !isDisjoint(with: [.integer, .number])
        case .double(let d):
            return contains(.number) || (contains(.integer) && d.isFinite && d.rounded() == d)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }
}

/// A `pattern` compiled once to a regular expression, keeping its source for messages.
struct SchemaPattern: Sendable {
    let source: String
    let regex: NSRegularExpression

    @inline(__always) func matches(_ string: String) -> Bool {
        regex.rangeOfFirstMatch(in: string, options: [], range: NSRange(location: 0, length: string.utf16.count))
            .location != NSNotFound
    }
}

/// Everything one subschema checks. Child schemas are indices into the node table.
struct SchemaSpec: Sendable {
    /// `true` / `false` schemas.
    var always: Bool?
    var types: SchemaTypeSet?
    var typeNames: [String] = []
    var constValue: JSONValue?
    var enumValues: [JSONValue]?
    var enumStrings: Set<String>?
    var enumMessage = ""

    var minimum: SchemaNumber?
    var maximum: SchemaNumber?
    var exclusiveMinimum: SchemaNumber?
    var exclusiveMaximum: SchemaNumber?
    var multipleOf: SchemaNumber?

    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?

    var prefixItems: [Int] = []
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?

    var properties: [String: Int] = [:]
    var required: [String] = []
    var additionalProperties: Int?
    var patternProperties: [(SchemaPattern, Int)] = []
    var propertyNames: Int?
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(String, [String])] = []
    var dependentSchemas: [(String, Int)] = []

    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?
    var ref: Int?

    /// How many validation keywords were compiled (annotations excluded).
    var keywordCount = 0

    var isPureRef: Bool { ref != nil && keywordCount == 1 }
    var hasStringChecks: Bool { minLength != nil || maxLength != nil || pattern != nil }
    var hasNumberChecks: Bool {
        minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil || multipleOf != nil
    }
}

import Foundation
import GatehouseJSON

/// What one keyword did to the schema being compiled.
enum KeywordEffect {
    /// A validation keyword: it counts towards ``SchemaSpec/keywordCount``.
    case validates
    /// Read, but it checks nothing on its own (`then`, `minContains`,
    /// `$defs`, the draft-04 boolean `exclusiveMinimum` …).
    case modifies
    /// An annotation, `format`, an `x-` extension or an unknown keyword.
    case ignored
}

/// One schema object while its keywords are compiled: where it sits in the
/// document, what it checks so far, and the older drafts' spellings that can
/// only be settled once every keyword has been read.
struct SchemaBuilder {
    /// The JSON pointer of the schema object, for compile errors.
    let pointer: String
    let depth: Int
    var spec = SchemaSpec()
    /// Draft-04 (and OpenAPI 3.0) boolean `exclusiveMinimum` / `exclusiveMaximum`.
    var exclusiveMinimumFlag = false
    var exclusiveMaximumFlag = false
    /// Draft-07 tuple `items` and the `additionalItems` that goes with it.
    var itemsList: [Int]?
    var additionalItems: Int?

    init(pointer: String, depth: Int) {
        self.pointer = pointer
        self.depth = depth
    }

    /// A compile error at `key` of this schema object (or at the object itself).
    func error(_ key: String?, _ message: String) -> JSONSchema.CompileError {
        JSONSchema.CompileError(path: key.map { pointer + "/" + escapePointer($0) } ?? pointer, message: message)
    }

    func nonNegative(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> Int {
        guard let i = value.integerValue, i >= 0 else { throw error(key, "\(key) must be a non-negative integer") }
        return Int(clamping: i)
    }

    func number(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> SchemaNumber {
        guard let n = SchemaNumber(value) else { throw error(key, "\(key) must be a number") }
        return n
    }

    /// `required`, `dependentRequired` entries: strings, duplicates dropped.
    func stringList(_ key: String, _ value: JSONValue) throws(JSONSchema.CompileError) -> [String] {
        guard case .array(let list) = value else { throw error(key, "\(key) must be an array of strings") }
        var result: [String] = []
        for element in list {
            guard let s = element.stringValue else { throw error(key, "\(key) must be an array of strings") }
            if !result.contains(s) { result.append(s) }
        }
        return result
    }

    func pattern(_ key: String, _ source: String) throws(JSONSchema.CompileError) -> SchemaPattern {
        do {
            return SchemaPattern(source: source, regex: try NSRegularExpression(pattern: translateECMAPattern(source)))
        } catch {
            throw self.error(key, "invalid regular expression \(source)")
        }
    }

    /// The spec with the older drafts' spellings settled and keywords that
    /// mean nothing without their partner dropped.
    func finished() -> SchemaSpec {
        var spec = spec
        if let list = itemsList {
            spec.prefixItems = list
            spec.items = additionalItems
        }
        if exclusiveMinimumFlag, let minimum = spec.minimum {
            spec.exclusiveMinimum = minimum
            spec.minimum = nil
        }
        if exclusiveMaximumFlag, let maximum = spec.maximum {
            spec.exclusiveMaximum = maximum
            spec.maximum = nil
        }
        if spec.contains == nil {
            spec.minContains = nil
            spec.maxContains = nil
        }
        if spec.ifSchema == nil {
            spec.thenSchema = nil
            spec.elseSchema = nil
        }
        return spec
    }
}

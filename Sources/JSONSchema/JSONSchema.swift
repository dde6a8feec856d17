import Foundation
import GatehouseJSON

/// A schema compiled once when a connector loads.
///
/// Implements the validation vocabulary of JSON Schema draft 2020-12 (and the
/// draft-07 / 2019-09 spellings connectors commonly carry): `type`, `enum`,
/// `const`, the numeric, string, array and object keywords, the applicators
/// (`allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`),
/// boolean schemas and local `$ref`s into the same document, by JSON pointer
/// (`#/$defs/item`) or by `$anchor` name (`#item`). Annotations
/// (`title`, `description`, `default`, `format`, `x-*`, …) and unknown keywords
/// are ignored; so are `unevaluatedProperties` and `unevaluatedItems` unless
/// the schema is compiled strictly, which refuses them.
///
/// Compilation turns the schema into a flat table of nodes that refer to each
/// other by index, so recursive `$ref`s cost nothing and validation walks no
/// JSON of the schema at all. Resource use is bounded: at most
/// ``maximumSubschemas`` nodes, an evaluation depth of ``maximumDepth`` and a
/// fixed evaluation budget; exceeding either at validation time yields a
/// violation, never a crash.
public struct JSONSchema: Sendable {
    /// The schema as written.
    public let source: JSONValue
    private let program: SchemaProgram

    /// More subschemas than this is a compile error.
    public static let maximumSubschemas = 10_000
    /// Nested subschema evaluations deeper than this are a violation.
    public static let maximumDepth = 64
    /// `validate` reports at most this many violations.
    public static let maximumViolations = 20
    /// How many subschema evaluations one `validate` call may perform.
    static let maximumSteps = 1_000_000
    /// How deeply the schema document itself may nest subschemas.
    static let maximumCompileDepth = 128

    /// Compiles `schema`, rejecting malformed schemas, remote `$ref`s and
    /// unsupported dialects.
    ///
    /// - Parameter strict: also reject `unevaluatedProperties` and
    ///   `unevaluatedItems`, which this engine does not enforce. Schemas a
    ///   connector writes to guard its arguments compile strictly, so no
    ///   restriction they state is silently dropped; schemas taken from
    ///   elsewhere keep compiling with those keywords ignored.
    public init(_ schema: JSONValue, strict: Bool = false) throws(JSONSchema.CompileError) {
        source = schema
        var compiler = Compiler(root: schema, strict: strict)
        program = try compiler.run()
    }

    /// Every way `instance` breaks the schema (at most ``maximumViolations``);
    /// empty when it is valid.
    public func validate(_ instance: JSONValue) -> [JSONSchema.Violation] {
        var evaluator = Evaluator(nodes: program.nodes)
        return evaluator.run(program.root, instance)
    }

    /// How `value` breaks the subschema under the root's `properties` for
    /// `name`, with paths inside the value; `nil` when the root names no such
    /// property. Checks a default written next to a property's schema, which
    /// may refer to definitions elsewhere in the document.
    public func validate(_ value: JSONValue, property name: String) -> [JSONSchema.Violation]? {
        guard let index = program.nodes[program.root].spec.properties[name] else { return nil }
        var evaluator = Evaluator(nodes: program.nodes)
        return evaluator.run(index, value)
    }

    /// Whether `instance` is valid, without building any messages.
    func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = Evaluator(nodes: program.nodes)
        return evaluator.check(program.root, instance)
    }

    /// One way an instance breaks the schema.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// A JSON pointer to the offending value in the instance, "" for the root.
        public var path: String
        /// What is wrong, phrased so a language model can correct its call.
        public var message: String

        public var description: String { "\(path.isEmpty ? "arguments" : path): \(message)" }
    }

    /// Why a schema could not be compiled.
    public struct CompileError: Error, Sendable, CustomStringConvertible {
        /// A JSON pointer to the offending place in the schema, "" for the root.
        public var path: String
        public var message: String

        public var description: String { path.isEmpty ? "schema: \(message)" : "schema at \(path): \(message)" }
    }
}

import Testing
@testable import JSONSchema
import GatehouseJSON

// MARK: - Helpers

private func schema(_ text: String) throws -> JSONSchema {
    try JSONSchema(JSONParser.parse(text))
}

private func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(text)
}

/// The violations of `instance` (JSON text) against `schemaText`, as descriptions.
private func problems(_ schemaText: String, _ instance: String) throws -> [String] {
    try schema(schemaText).validate(json(instance)).map(\.description)
}

private func isValid(_ schemaText: String, _ instance: String) throws -> Bool {
    let compiled = try schema(schemaText)
    let value = try json(instance)
    let violations = compiled.validate(value)
    #expect(violations.isEmpty == compiled.isValid(value), "validate and isValid disagree")
    return violations.isEmpty
}

private func compileError(_ schemaText: String) throws -> JSONSchema.CompileError? {
    let value = try json(schemaText)
    do {
        _ = try JSONSchema(value)
        return nil
    } catch {
        return error
    }
}

// MARK: - type

@Test func typeStringPasses() throws {
    #expect(try isValid(##"{"type":"string"}"##, ##""hello""##))
}

@Test func typeStringFailsWithActualType() throws {
    #expect(try problems(##"{"type":"string"}"##, "3") == ["arguments: must be a string, got integer"])
}

@Test func typeArrayOfNames() throws {
    #expect(try isValid(##"{"type":["string","null"]}"##, "null"))
    #expect(try isValid(##"{"type":["string","null"]}"##, ##""x""##))
    #expect(try problems(##"{"type":["string","null"]}"##, "true") == ["arguments: must be a string or null, got boolean"])
}

@Test func integerAcceptsIntegralDoubles() throws {
    #expect(try isValid(##"{"type":"integer"}"##, "3"))
    #expect(try isValid(##"{"type":"integer"}"##, "3.0"))
    #expect(try problems(##"{"type":"integer"}"##, "3.5") == ["arguments: must be an integer, got number"])
}

@Test func numberAcceptsIntegers() throws {
    #expect(try isValid(##"{"type":"number"}"##, "3"))
    #expect(try isValid(##"{"type":"number"}"##, "3.25"))
    #expect(try problems(##"{"type":"number"}"##, ##""3""##) == ["arguments: must be a number, got string"])
}

@Test func everyTypeName() throws {
    let cases: [(String, String)] = [
        ("null", "null"), ("boolean", "false"), ("object", "{}"), ("array", "[]"), ("string", ##""""##),
    ]
    for (type, instance) in cases {
        #expect(try isValid(##"{"type":"\##(type)"}"##, instance))
        #expect(try !isValid(##"{"type":"\##(type)"}"##, "1.5"))
    }
}

// MARK: - enum / const

@Test func enumPasses() throws {
    #expect(try isValid(##"{"enum":["open","closed"]}"##, ##""open""##))
}

@Test func enumFailsListingChoices() throws {
    #expect(try problems(##"{"enum":["open","closed"]}"##, ##""merged""##) == ["arguments: must be one of: open, closed"])
    #expect(try problems(##"{"enum":["open","closed"]}"##, "1") == ["arguments: must be one of: open, closed"])
}

@Test func enumOfMixedValuesUsesJSONEquality() throws {
    let text = ##"{"enum":[1, null, {"a":[1,2]}]}"##
    #expect(try isValid(text, "1.0"))
    #expect(try isValid(text, "null"))
    #expect(try isValid(text, ##"{"a":[1,2.0]}"##))
    #expect(try problems(text, "2") == [##"arguments: must be one of: 1, null, {"a":[1,2]}"##])
}

@Test func constPassesAndFails() throws {
    #expect(try isValid(##"{"const":"v1"}"##, ##""v1""##))
    #expect(try problems(##"{"const":"v1"}"##, ##""v2""##) == [##"arguments: must be "v1""##])
    #expect(try isValid(##"{"const":{"a":1,"b":2}}"##, ##"{"b":2,"a":1}"##))
}

// MARK: - numbers

@Test func minimumAndMaximum() throws {
    let text = ##"{"type":"integer","minimum":1,"maximum":100}"##
    #expect(try isValid(text, "1"))
    #expect(try isValid(text, "100"))
    #expect(try problems(text, "0") == ["arguments: must be at least 1"])
    #expect(try problems(text, "101") == ["arguments: must be at most 100"])
}

@Test func fractionalBounds() throws {
    #expect(try problems(##"{"minimum":0.5}"##, "0.25") == ["arguments: must be at least 0.5"])
    #expect(try isValid(##"{"maximum":2.5}"##, "2"))
}

@Test func exclusiveBounds() throws {
    let text = ##"{"exclusiveMinimum":0,"exclusiveMaximum":10}"##
    #expect(try isValid(text, "5"))
    #expect(try problems(text, "0") == ["arguments: must be greater than 0"])
    #expect(try problems(text, "10") == ["arguments: must be less than 10"])
    #expect(try isValid(text, "9.999"))
}

@Test func draft4BooleanExclusiveMinimum() throws {
    #expect(try problems(##"{"minimum":0,"exclusiveMinimum":true}"##, "0") == ["arguments: must be greater than 0"])
    #expect(try isValid(##"{"minimum":0,"exclusiveMinimum":false}"##, "0"))
}

@Test func multipleOf() throws {
    #expect(try isValid(##"{"multipleOf":5}"##, "25"))
    #expect(try problems(##"{"multipleOf":5}"##, "7") == ["arguments: must be a multiple of 5"])
    #expect(try isValid(##"{"multipleOf":0.1}"##, "0.3"))
    #expect(try !isValid(##"{"multipleOf":0.1}"##, "0.35"))
    #expect(try isValid(##"{"multipleOf":2}"##, "4.0"))
}

@Test func largeIntegersCompareExactly() throws {
    #expect(try problems(##"{"maximum":9007199254740993}"##, "9007199254740994") == ["arguments: must be at most 9007199254740993"])
    #expect(try isValid(##"{"maximum":9007199254740993}"##, "9007199254740993"))
}

@Test func numericKeywordsIgnoreOtherTypes() throws {
    #expect(try isValid(##"{"minimum":10,"minLength":3}"##, ##""abc""##))
    #expect(try isValid(##"{"minLength":3,"minimum":10}"##, "20"))
}

// MARK: - strings

@Test func minAndMaxLength() throws {
    let text = ##"{"type":"string","minLength":2,"maxLength":4}"##
    #expect(try isValid(text, ##""ab""##))
    #expect(try isValid(text, ##""abcd""##))
    #expect(try problems(text, ##""a""##) == ["arguments: must be at least 2 characters long"])
    #expect(try problems(text, ##""abcde""##) == ["arguments: must be at most 4 characters long"])
    #expect(try problems(##"{"minLength":1}"##, ##""""##) == ["arguments: must be at least 1 character long"])
}

@Test func lengthCountsCodePoints() throws {
    // "é" is 2 UTF-8 bytes, "😀" is 4 bytes and 2 UTF-16 units; each is one code point.
    #expect(try isValid(##"{"maxLength":2}"##, ##""é😀""##))
    #expect(try isValid(##"{"minLength":2}"##, ##""é😀""##))
    #expect(try !isValid(##"{"minLength":3}"##, ##""é😀""##))
    // "e" + combining acute accent: one Character, two code points.
    #expect(try isValid(##"{"minLength":2,"maxLength":2}"##, ##""e\u0301""##))
}

@Test func patternPassesAndFails() throws {
    let text = ##"{"type":"string","pattern":"^[a-z]+$"}"##
    #expect(try isValid(text, ##""abc""##))
    #expect(try problems(text, ##""Abc""##) == ["arguments: must match pattern ^[a-z]+$"])
}

@Test func patternIsAnUnanchoredSearch() throws {
    #expect(try isValid(##"{"pattern":"b+"}"##, ##""aabba""##))
    #expect(try !isValid(##"{"pattern":"b+"}"##, ##""aaa""##))
}

@Test func patternUsesECMASemantics() throws {
    // `$` is the very end: a trailing newline does not sneak through.
    #expect(try !isValid(##"{"pattern":"^[a-z]+$"}"##, ##""abc\n""##))
    // `\d` is ASCII only.
    #expect(try isValid(##"{"pattern":"^\\d+$"}"##, ##""123""##))
    #expect(try !isValid(##"{"pattern":"^\\d+$"}"##, ##""١٢٣""##))
    #expect(try !isValid(##"{"pattern":"^\\w+$"}"##, ##""héllo""##))
    #expect(try isValid(##"{"pattern":"^[\\w-]+$"}"##, ##""a-b_c""##))
    // Lookahead, Unicode property classes and a literal `[` inside a class.
    #expect(try isValid(##"{"pattern":"^(?=.*[0-9])[a-z0-9]+$"}"##, ##""abc1""##))
    #expect(try isValid(##"{"pattern":"^\\p{L}+$"}"##, ##""héllo""##))
    #expect(try isValid(##"{"pattern":"^[[a]+$"}"##, ##""[a[""##))
    #expect(try isValid(##"{"pattern":"^a.c$"}"##, ##""a😀c""##))
}

@Test func formatIsAnAnnotationOnly() throws {
    #expect(try isValid(##"{"type":"string","format":"email"}"##, ##""not an email""##))
}

// MARK: - arrays

@Test func itemsValidatesEveryElementWithIndexPaths() throws {
    let text = ##"{"type":"object","properties":{"labels":{"type":"array","items":{"type":"string"}}}}"##
    #expect(try isValid(text, ##"{"labels":["a","b"]}"##))
    #expect(try problems(text, ##"{"labels":["a","b",3]}"##) == ["/labels/2: must be a string, got integer"])
}

@Test func minAndMaxItems() throws {
    let text = ##"{"minItems":1,"maxItems":2}"##
    #expect(try isValid(text, "[1]"))
    #expect(try problems(text, "[]") == ["arguments: must have at least 1 item"])
    #expect(try problems(text, "[1,2,3]") == ["arguments: must have at most 2 items"])
}

@Test func uniqueItems() throws {
    #expect(try isValid(##"{"uniqueItems":true}"##, ##"[1,"1",[1],{"a":1}]"##))
    #expect(try problems(##"{"uniqueItems":true}"##, "[1,2,1.0]")
        == ["arguments: must not contain duplicate items (items 0 and 2 are equal)"])
    #expect(try !isValid(##"{"uniqueItems":true}"##, ##"[{"a":1,"b":2},{"b":2,"a":1}]"##))
    #expect(try isValid(##"{"uniqueItems":false}"##, "[1,1]"))
}

@Test func uniqueItemsOnLargeArrays() throws {
    let distinct = JSONValue.array((0..<1000).map { .object(["id": .int(Int64($0)), "tag": "x"]) })
    let compiled = try schema(##"{"uniqueItems":true}"##)
    #expect(compiled.validate(distinct).isEmpty)
    guard case .array(var elements) = distinct else { return }
    elements.append(["tag": "x", "id": 500.0])
    #expect(compiled.validate(.array(elements)).map(\.message)
        == ["must not contain duplicate items (items 500 and 1000 are equal)"])
}

@Test func prefixItemsAndItemsFalse() throws {
    let text = ##"{"prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}"##
    #expect(try isValid(text, ##"["a",1]"##))
    #expect(try isValid(text, ##"["a"]"##))
    #expect(try problems(text, ##"[1,1]"##) == ["/0: must be a string, got integer"])
    #expect(try problems(text, ##"["a",1,true]"##) == ["/2: is not allowed"])
}

@Test func draft07TupleItems() throws {
    let text = ##"{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"##
    #expect(try isValid(text, ##"["a",1,2]"##))
    #expect(try problems(text, ##"["a",1,"b"]"##) == ["/2: must be an integer, got string"])
}

@Test func containsWithBounds() throws {
    #expect(try isValid(##"{"contains":{"type":"string"}}"##, ##"[1,"a"]"##))
    #expect(try problems(##"{"contains":{"type":"string"}}"##, "[1,2]")
        == ["arguments: must contain at least one item matching the contains schema"])
    let bounded = ##"{"contains":{"type":"string"},"minContains":2,"maxContains":3}"##
    #expect(try !isValid(bounded, ##"["a",1]"##))
    #expect(try isValid(bounded, ##"["a","b",1]"##))
    #expect(try problems(bounded, ##"["a","b","c","d"]"##)
        == ["arguments: must contain at most 3 items matching the contains schema"])
}

// MARK: - objects

@Test func requiredReportsEachMissingPropertyAtItsPath() throws {
    let text = ##"{"type":"object","required":["owner","repo"]}"##
    #expect(try isValid(text, ##"{"owner":"a","repo":"b"}"##))
    #expect(try problems(text, "{}") == ["/owner: is required", "/repo: is required"])
}

@Test func propertiesValidateTheirValues() throws {
    let text = ##"{"properties":{"limit":{"type":"integer","maximum":100}}}"##
    #expect(try isValid(text, ##"{"limit":5,"other":true}"##))
    #expect(try problems(text, ##"{"limit":500}"##) == ["/limit: must be at most 100"])
}

@Test func additionalPropertiesFalse() throws {
    let text = ##"{"properties":{"a":{}},"additionalProperties":false}"##
    #expect(try isValid(text, ##"{"a":1}"##))
    #expect(try problems(text, ##"{"a":1,"foo":2}"##) == [##"arguments: unexpected property "foo""##])
}

@Test func additionalPropertiesSchema() throws {
    let text = ##"{"properties":{"a":{}},"additionalProperties":{"type":"string"}}"##
    #expect(try isValid(text, ##"{"a":1,"b":"x"}"##))
    #expect(try problems(text, ##"{"a":1,"b":2}"##) == ["/b: must be a string, got integer"])
}

@Test func patternProperties() throws {
    let text = ##"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}"##
    #expect(try isValid(text, ##"{"x-trace":"abc"}"##))
    #expect(try problems(text, ##"{"x-trace":1}"##) == ["/x-trace: must be a string, got integer"])
    #expect(try problems(text, ##"{"trace":"abc"}"##) == [##"arguments: unexpected property "trace""##])
}

@Test func propertyNames() throws {
    let text = ##"{"propertyNames":{"pattern":"^[a-z]+$"}}"##
    #expect(try isValid(text, ##"{"abc":1}"##))
    #expect(try problems(text, ##"{"Abc":1}"##)
        == [##"arguments: property name "Abc" is invalid: must match pattern ^[a-z]+$"##])
}

@Test func minAndMaxProperties() throws {
    let text = ##"{"minProperties":1,"maxProperties":2}"##
    #expect(try isValid(text, ##"{"a":1}"##))
    #expect(try problems(text, "{}") == ["arguments: must have at least 1 property"])
    #expect(try problems(text, ##"{"a":1,"b":2,"c":3}"##) == ["arguments: must have at most 2 properties"])
}

@Test func dependentRequired() throws {
    let text = ##"{"dependentRequired":{"since":["until"]}}"##
    #expect(try isValid(text, "{}"))
    #expect(try isValid(text, ##"{"since":1,"until":2}"##))
    #expect(try problems(text, ##"{"since":1}"##) == [##"/until: is required when "since" is present"##])
}

@Test func dependentSchemasAndDraft07Dependencies() throws {
    let text = ##"{"dependentSchemas":{"a":{"required":["b"]}}}"##
    #expect(try problems(text, ##"{"a":1}"##) == ["/b: is required"])
    let legacy = ##"{"dependencies":{"a":["b"],"c":{"properties":{"d":{"type":"string"}}}}}"##
    #expect(try !isValid(legacy, ##"{"a":1}"##))
    #expect(try problems(legacy, ##"{"c":1,"d":2}"##) == ["/d: must be a string, got integer"])
}

@Test func nestedPathsAreJSONPointers() throws {
    let text = ##"""
    {"type":"object","properties":{
      "filter":{"type":"object","properties":{
        "labels":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}},
        "a/b~c":{"type":"integer"}
      }}
    }}
    """##
    #expect(try problems(text, ##"{"filter":{"labels":[{"name":"x"},{"name":1},{}],"a/b~c":"no"}}"##) == [
        "/filter/labels/1/name: must be a string, got integer",
        "/filter/labels/2/name: is required",
        "/filter/a~1b~0c: must be an integer, got string",
    ])
}

@Test func collectsAllViolationsButCapsThem() throws {
    let text = ##"{"type":"object","required":["a","b"],"properties":{"c":{"type":"string"}}}"##
    #expect(try problems(text, ##"{"c":1}"##).count == 3)
    let many = try schema(##"{"items":{"type":"string"}}"##)
    let instance = JSONValue.array((0..<100).map { .int(Int64($0)) })
    let violations = many.validate(instance)
    #expect(violations.count == JSONSchema.maximumViolations)
    #expect(violations.first == JSONSchema.Violation(path: "/0", message: "must be a string, got integer"))
}

@Test func typeMismatchSuppressesEnumNoise() throws {
    #expect(try problems(##"{"type":"string","enum":["a"]}"##, "1") == ["arguments: must be a string, got integer"])
}

// MARK: - applicators

@Test func allOf() throws {
    let text = ##"{"allOf":[{"type":"integer"},{"minimum":3}]}"##
    #expect(try isValid(text, "4"))
    #expect(try problems(text, "2") == ["arguments: must be at least 3"])
}

@Test func anyOfPassesOnAnyBranch() throws {
    let text = ##"{"anyOf":[{"type":"string"},{"type":"integer"}]}"##
    #expect(try isValid(text, ##""a""##))
    #expect(try isValid(text, "1"))
    #expect(try problems(text, "true") == ["arguments: must be a string or an integer, got boolean"])
}

@Test func anyOfExplainsTheOnlyBranchOfTheRightType() throws {
    let text = ##"{"anyOf":[{"type":"string","maxLength":3},{"type":"integer"}]}"##
    #expect(try problems(text, ##""abcd""##) == ["arguments: must be at most 3 characters long"])
}

@Test func anyOfFallsBackToAGenericMessage() throws {
    let text = ##"{"anyOf":[{"minimum":10},{"multipleOf":2}]}"##
    #expect(try problems(text, "3") == ["arguments: must match at least one schema in anyOf"])
}

@Test func oneOf() throws {
    let text = ##"{"oneOf":[{"multipleOf":2},{"minimum":5}]}"##
    #expect(try isValid(text, "2"))
    #expect(try isValid(text, "7"))
    #expect(try problems(text, "6") == ["arguments: must match exactly one schema in oneOf (matched 2)"])
    #expect(try problems(text, "3") == ["arguments: must match exactly one schema in oneOf (matched 0)"])
}

@Test func oneOfExplainsTheOnlyBranchOfTheRightType() throws {
    let text = ##"{"oneOf":[{"type":"integer"},{"type":"string","minLength":2}]}"##
    #expect(try isValid(text, "1"))
    #expect(try problems(text, ##""a""##) == ["arguments: must be at least 2 characters long"])
    #expect(try problems(text, "null") == ["arguments: must be an integer or a string, got null"])
}

@Test func not() throws {
    let text = ##"{"not":{"type":"null"}}"##
    #expect(try isValid(text, "1"))
    #expect(try problems(text, "null") == ["arguments: must not match the schema in not"])
}

@Test func ifThenElse() throws {
    let text = ##"""
    {"if":{"properties":{"kind":{"const":"user"}}},
     "then":{"required":["login"]},
     "else":{"required":["slug"]}}
    """##
    #expect(try isValid(text, ##"{"kind":"user","login":"x"}"##))
    #expect(try isValid(text, ##"{"kind":"org","slug":"x"}"##))
    #expect(try problems(text, ##"{"kind":"user"}"##) == ["/login: is required"])
    #expect(try problems(text, ##"{"kind":"org"}"##) == ["/slug: is required"])
    #expect(try isValid(##"{"then":false}"##, "1"))
}

// MARK: - boolean schemas

@Test func booleanSchemas() throws {
    #expect(try isValid("true", ##"{"anything":[1,2]}"##))
    #expect(try problems("false", "1") == ["arguments: is not allowed"])
    #expect(try problems(##"{"properties":{"legacy":false}}"##, ##"{"legacy":1}"##) == ["/legacy: is not allowed"])
    #expect(try isValid(##"{"properties":{"legacy":false}}"##, "{}"))
}

@Test func emptySchemaAcceptsEverything() throws {
    for instance in ["null", "1", ##""s""##, "[]", "{}", "2.5", "true"] {
        #expect(try isValid("{}", instance))
    }
}

@Test func annotationsAndUnknownKeywordsAreIgnored() throws {
    let text = ##"""
    {"title":"T","description":"D","default":5,"examples":[1],"x-internal":{"type":"nonsense"},
     "deprecated":true,"readOnly":true,"unknownKeyword":{"minimum":"x"},"type":"integer"}
    """##
    #expect(try isValid(text, "7"))
    #expect(try !isValid(text, ##""7""##))
}

// MARK: - $ref

@Test func refToDefs() throws {
    let text = ##"""
    {"$defs":{"state":{"enum":["open","closed"]}},
     "properties":{"state":{"$ref":"#/$defs/state"}}}
    """##
    #expect(try isValid(text, ##"{"state":"open"}"##))
    #expect(try problems(text, ##"{"state":"merged"}"##) == ["/state: must be one of: open, closed"])
}

@Test func refToDefinitionsWithEscapes() throws {
    let text = ##"""
    {"definitions":{"a/b":{"type":"integer"},"t~n":{"type":"string"},"sp ace":{"minimum":2}},
     "properties":{
       "x":{"$ref":"#/definitions/a~1b"},
       "y":{"$ref":"#/definitions/t~0n"},
       "z":{"$ref":"#/definitions/sp%20ace"}}}
    """##
    #expect(try isValid(text, ##"{"x":1,"y":"s","z":3}"##))
    #expect(try problems(text, ##"{"x":"1","y":2,"z":1}"##) == [
        "/x: must be an integer, got string",
        "/y: must be a string, got integer",
        "/z: must be at least 2",
    ])
}

@Test func refWithSiblingKeywordsAppliesBoth() throws {
    let text = ##"{"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n","minimum":5}"##
    #expect(try isValid(text, "6"))
    #expect(try problems(text, "4") == ["arguments: must be at least 5"])
    #expect(try problems(text, ##""6""##) == ["arguments: must be an integer, got string"])
}

@Test func refChainsResolve() throws {
    let text = ##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/c"},"c":{"type":"string"}},"$ref":"#/$defs/a"}"##
    #expect(try isValid(text, ##""x""##))
    #expect(try problems(text, "1") == ["arguments: must be a string, got integer"])
}

@Test func refToRootMakesARecursiveTree() throws {
    let text = ##"""
    {"type":"object",
     "properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},
     "required":["name"],
     "additionalProperties":false}
    """##
    #expect(try isValid(text, ##"{"name":"root","children":[{"name":"a"},{"name":"b","children":[{"name":"c"}]}]}"##))
    #expect(try problems(text, ##"{"name":"root","children":[{"name":"a","children":[{"nam":"c"}]}]}"##) == [
        "/children/0/children/0/name: is required",
        ##"/children/0/children/0: unexpected property "nam""##,
    ])
}

@Test func recursiveDefsTree() throws {
    let text = ##"""
    {"$ref":"#/$defs/node",
     "$defs":{"node":{"type":"object","required":["value"],
       "properties":{"value":{"type":"integer"},"left":{"$ref":"#/$defs/node"},"right":{"$ref":"#/$defs/node"}}}}}
    """##
    #expect(try isValid(text, ##"{"value":1,"left":{"value":2,"right":{"value":3}}}"##))
    #expect(try problems(text, ##"{"value":1,"left":{"value":"2"},"right":{"left":{"value":4}}}"##) == [
        "/left/value: must be an integer, got string",
        "/right/value: is required",
    ])
}

@Test func mutuallyRecursiveDefs() throws {
    let text = ##"""
    {"$defs":{
       "even":{"anyOf":[{"type":"null"},{"type":"object","properties":{"next":{"$ref":"#/$defs/odd"}},"required":["next"]}]},
       "odd":{"type":"object","properties":{"next":{"$ref":"#/$defs/even"}},"required":["next"]}},
     "$ref":"#/$defs/even"}
    """##
    #expect(try isValid(text, "null"))
    #expect(try isValid(text, ##"{"next":{"next":null}}"##))
    #expect(try !isValid(text, ##"{"next":null}"##))
}

@Test func refIntoNonDefsLocation() throws {
    let text = ##"{"properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a"}}}"##
    #expect(try problems(text, ##"{"b":1}"##) == ["/b: must be a string, got integer"])
}

@Test func refRelativeToTheRootID() throws {
    let text = ##"{"$id":"https://example.com/s.json","$defs":{"x":{"type":"string"}},"$ref":"https://example.com/s.json#/$defs/x"}"##
    #expect(try isValid(text, ##""a""##))
    #expect(try !isValid(text, "1"))
}

// MARK: - $anchor

@Test func refToAnchor() throws {
    let text = ##"""
    {"$defs":{"state":{"$anchor":"state","enum":["open","closed"]}},
     "properties":{"state":{"$ref":"#state"},"states":{"type":"array","items":{"$ref":"#state"}}}}
    """##
    #expect(try isValid(text, ##"{"state":"open","states":["closed"]}"##))
    #expect(try problems(text, ##"{"state":"merged","states":["x"]}"##) == [
        "/state: must be one of: open, closed", "/states/0: must be one of: open, closed",
    ])
}

@Test func anchorOnANestedSubschemaAndBeforeItIsWritten() throws {
    // The reference comes first in the document; the anchor sits under properties.
    let text = ##"""
    {"allOf":[{"$ref":"#positive"}],
     "properties":{"n":{"type":"integer"}},
     "$defs":{"wrapper":{"anyOf":[{"$anchor":"positive","properties":{"n":{"minimum":1}}}]}}}
    """##
    #expect(try isValid(text, ##"{"n":3}"##))
    #expect(try problems(text, ##"{"n":0}"##) == ["/n: must be at least 1"])
}

@Test func recursiveAnchor() throws {
    let text = ##"""
    {"$anchor":"tree","type":"object","required":["name"],
     "properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#tree"}}}}
    """##
    #expect(try isValid(text, ##"{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}"##))
    #expect(try problems(text, ##"{"name":"a","children":[{"children":[]}]}"##) == ["/children/0/name: is required"])
}

@Test func anchorAndPointerRefsShareOneNode() throws {
    let text = ##"""
    {"$defs":{"id":{"$anchor":"id","type":"integer"}},
     "properties":{"a":{"$ref":"#id"},"b":{"$ref":"#/$defs/id"}}}
    """##
    #expect(try problems(text, ##"{"a":"x","b":"y"}"##) == ["/a: must be an integer, got string", "/b: must be an integer, got string"])
}

@Test func anchorRelativeToTheRootID() throws {
    let text = ##"{"$id":"https://example.com/s.json","$defs":{"x":{"$anchor":"x","type":"string"}},"$ref":"https://example.com/s.json#x"}"##
    #expect(try isValid(text, ##""a""##))
    #expect(try !isValid(text, "1"))
}

@Test func draft07PlainNameID() throws {
    let text = ##"{"definitions":{"x":{"$id":"#x","type":"string"}},"properties":{"a":{"$ref":"#x"}}}"##
    #expect(try problems(text, ##"{"a":1}"##) == ["/a: must be a string, got integer"])
}

@Test func anchorsOfEmbeddedResourcesAreNotReachable() throws {
    let text = ##"{"$defs":{"other":{"$id":"https://example.com/other.json","$defs":{"x":{"$anchor":"x"}}}},"$ref":"#x"}"##
    #expect(try compileError(text)?.message.contains("names no $anchor") == true)
}

@Test func anchorsInDataAreNotAnchors() throws {
    // A value under enum, const or default is data, not a schema.
    let text = ##"{"enum":[{"$anchor":"x"}],"default":{"$anchor":"y"},"$ref":"#x"}"##
    #expect(try compileError(text)?.message.contains("names no $anchor") == true)
}

@Test func badAnchorsAreCompileErrors() throws {
    let duplicate = try #require(try compileError(##"{"$defs":{"a":{"$anchor":"x"},"b":{"$anchor":"x"}}}"##))
    #expect(duplicate.message == ##"anchor "x" is already defined at /$defs/a"##)
    #expect(duplicate.path == "/$defs/b/$anchor")
    let malformed = try #require(try compileError(##"{"properties":{"a":{"$anchor":"1st"}}}"##))
    #expect(malformed.path == "/properties/a/$anchor")
    #expect(malformed.message.contains("must start with a letter"))
    #expect(try compileError(##"{"$anchor":"a/b"}"##) != nil)
    #expect(try compileError(##"{"$anchor":7}"##)?.message == "$anchor must be a string")
}

// MARK: - strict compilation

@Test func strictCompilationRefusesUnenforcedKeywords() throws {
    for keyword in ["unevaluatedProperties", "unevaluatedItems"] {
        let value = try json(##"{"properties":{"a":{"\##(keyword)":false}}}"##)
        #expect(throws: Never.self) { try JSONSchema(value) }
        do {
            _ = try JSONSchema(value, strict: true)
            Issue.record("\(keyword) compiled strictly")
        } catch {
            #expect(error.path == "/properties/a/\(keyword)")
            #expect(error.message.hasPrefix("\(keyword) is not supported; close the schema with"))
        }
    }
}

// MARK: - defaults of properties

@Test func validatesAValueAgainstATopLevelProperty() throws {
    let compiled = try schema(##"""
    {"$defs":{"size":{"type":"integer","minimum":1}},
     "properties":{"size":{"$ref":"#/$defs/size"},"tags":{"type":"array","items":{"type":"string"}}}}
    """##)
    #expect(compiled.validate(5, property: "size") == [])
    #expect(compiled.validate(0, property: "size")?.map(\.description) == ["arguments: must be at least 1"])
    #expect(compiled.validate(["a", 2], property: "tags")?.map(\.description) == ["/1: must be a string, got integer"])
    #expect(compiled.validate(1, property: "missing") == nil)
}

// MARK: - compile errors

@Test func badPatternIsACompileError() throws {
    let error = try #require(try compileError(##"{"properties":{"a":{"pattern":"[a-"}}}"##))
    #expect(error.path == "/properties/a/pattern")
    #expect(error.message.contains("regular expression"))
    #expect(error.description.hasPrefix("schema at /properties/a/pattern: "))
}

@Test func badPatternPropertiesKeyIsACompileError() throws {
    #expect(try compileError(##"{"patternProperties":{"(":{}}}"##) != nil)
}

@Test func remoteRefIsACompileError() throws {
    let error = try #require(try compileError(##"{"$ref":"http://example.com/schema.json"}"##))
    #expect(error.message.contains("remote $ref is not supported"))
    #expect(error.path == "/$ref")
    #expect(try compileError(##"{"$ref":"other.json#/a"}"##)?.message.contains("remote $ref is not supported") == true)
}

@Test func missingRefTargetIsACompileError() throws {
    let error = try #require(try compileError(##"{"properties":{"a":{"$ref":"#/$defs/missing"}}}"##))
    #expect(error.path == "/properties/a/$ref")
    #expect(error.message.contains("does not exist"))
    #expect(try compileError(##"{"$ref":"#/properties/a/enum","properties":{"a":{"enum":[1]}}}"##)?.message.contains("not a schema") == true)
    #expect(try compileError(##"{"$ref":"#anchor"}"##)?.message.contains("names no $anchor") == true)
}

@Test func circularPureRefIsACompileError() throws {
    #expect(try compileError(##"{"$ref":"#"}"##) != nil)
    #expect(try compileError(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}}"##) != nil)
}

@Test func unknownTypeNameIsACompileError() throws {
    let error = try #require(try compileError(##"{"properties":{"n":{"type":"strng"}}}"##))
    #expect(error.path == "/properties/n/type")
    #expect(error.message.contains("unknown type \"strng\""))
    #expect(try compileError(##"{"type":["string",3]}"##) != nil)
    #expect(try compileError(##"{"type":[]}"##) != nil)
}

@Test func unsupportedDialectIsACompileError() throws {
    let error = try #require(try compileError(##"{"$schema":"http://json-schema.org/draft-04/schema#"}"##))
    #expect(error.message.contains("unsupported dialect"))
    #expect(error.path == "/$schema")
}

@Test func supportedDialectsCompile() throws {
    for dialect in [
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
    ] {
        #expect(try compileError(##"{"$schema":"\##(dialect)","type":"string"}"##) == nil)
    }
}

@Test func malformedKeywordValuesAreCompileErrors() throws {
    let cases = [
        ##"5"##,
        ##""string""##,
        ##"{"minLength":-1}"##,
        ##"{"maxItems":1.5}"##,
        ##"{"minimum":"1"}"##,
        ##"{"multipleOf":0}"##,
        ##"{"required":"a"}"##,
        ##"{"required":[1]}"##,
        ##"{"properties":[]}"##,
        ##"{"properties":{"a":3}}"##,
        ##"{"allOf":[]}"##,
        ##"{"anyOf":{}}"##,
        ##"{"enum":"a"}"##,
        ##"{"uniqueItems":"yes"}"##,
        ##"{"items":7}"##,
        ##"{"$defs":{"a":"b"}}"##,
        ##"{"$ref":5}"##,
        ##"{"$dynamicRef":"#meta"}"##,
    ]
    for text in cases {
        #expect(try compileError(text) != nil, "\(text) should not compile")
    }
}

@Test func compileErrorsInUnusedDefsAreReported() throws {
    #expect(try compileError(##"{"$defs":{"unused":{"pattern":"("}}}"##)?.path == "/$defs/unused/pattern")
}

@Test func tooManySubschemasIsACompileError() throws {
    var properties = JSONObject()
    for i in 0..<(JSONSchema.maximumSubschemas + 1) { properties["p\(i)"] = ["type": "string"] }
    #expect(throws: JSONSchema.CompileError.self) { try JSONSchema(["properties": .object(properties)]) }
}

// MARK: - resource bounds

/// `{"properties":{"a":{"properties":{"a":…}}}}` nested `levels` deep, and a matching instance.
private func nested(_ levels: Int) -> (schema: JSONValue, instance: JSONValue) {
    var schema: JSONValue = ["type": "integer"]
    var instance: JSONValue = 1
    for _ in 0..<levels {
        schema = ["type": "object", "properties": ["a": schema]]
        instance = ["a": instance]
    }
    return (schema, instance)
}

@Test func moderatelyNestedSchemasValidate() throws {
    let (schemaValue, instance) = nested(20)
    #expect(try JSONSchema(schemaValue).validate(instance).isEmpty)
}

@Test func deepNestingIsAViolationNotACrash() throws {
    let (schemaValue, instance) = nested(100)
    let compiled = try JSONSchema(schemaValue)
    let violations = compiled.validate(instance)
    #expect(violations.map(\.message) == ["schema too deeply nested"])
    #expect(violations.first?.path.hasPrefix("/a/a/a") == true)
    #expect(!compiled.isValid(instance))
    // A shallow instance never reaches the bound.
    #expect(compiled.validate(["a": ["a": [:]]]).isEmpty)
}

@Test func deepRecursionThroughRefIsBounded() throws {
    let compiled = try schema(##"{"type":"object","properties":{"child":{"$ref":"#"}}}"##)
    var instance: JSONValue = [:]
    for _ in 0..<500 { instance = ["child": instance] }
    #expect(compiled.validate(instance).map(\.message) == ["schema too deeply nested"])
}

@Test func depthBoundCannotBeHiddenByNot() throws {
    let compiled = try schema(##"{"not":{"$ref":"#/$defs/deep"},"$defs":{"deep":{"properties":{"a":{"$ref":"#/$defs/deep"}}}}}"##)
    var instance: JSONValue = [:]
    for _ in 0..<200 { instance = ["a": instance] }
    #expect(compiled.validate(instance).map(\.message).contains("schema too deeply nested"))
}

@Test func exponentialApplicatorsAreBounded() throws {
    // Every level doubles the work; the evaluation budget stops it.
    let compiled = try schema(##"""
    {"$defs":{"x":{"anyOf":[
       {"properties":{"a":{"$ref":"#/$defs/x"}},"allOf":[{"required":["q"]}]},
       {"properties":{"a":{"$ref":"#/$defs/x"}},"allOf":[{"required":["r"]}]}]}},
     "$ref":"#/$defs/x"}
    """##)
    var instance: JSONValue = [:]
    for _ in 0..<25 { instance = ["a": instance] }
    #expect(compiled.validate(instance).map(\.message).contains("too complex to validate"))
    #expect(!compiled.isValid(instance))
}

// MARK: - realistic use

@Test func toolArgumentsSchema() throws {
    let compiled = try schema(##"""
    {"$schema":"https://json-schema.org/draft/2020-12/schema",
     "type":"object",
     "properties":{
       "owner":{"type":"string","minLength":1,"description":"Repository owner"},
       "repo":{"type":"string","pattern":"^[A-Za-z0-9_.-]+$"},
       "state":{"type":"string","enum":["open","closed","all"],"default":"open"},
       "labels":{"type":"array","items":{"type":"string"},"maxItems":10,"uniqueItems":true},
       "per_page":{"type":"integer","minimum":1,"maximum":100}},
     "required":["owner","repo"],
     "additionalProperties":false}
    """##)
    #expect(compiled.validate(try json(##"{"owner":"apple","repo":"swift","state":"open","labels":["bug"],"per_page":30}"##)).isEmpty)
    let violations = compiled.validate(try json(##"{"repo":"a b","state":"merged","per_page":500,"lables":[]}"##))
    #expect(violations.map(\.description) == [
        "/owner: is required",
        "/repo: must match pattern ^[A-Za-z0-9_.-]+$",
        "/state: must be one of: open, closed, all",
        "/per_page: must be at most 100",
        ##"arguments: unexpected property "lables""##,
    ])
}

@Test func violationDescription() {
    #expect(JSONSchema.Violation(path: "", message: "is required").description == "arguments: is required")
    #expect(JSONSchema.Violation(path: "/limit", message: "must be at most 100").description == "/limit: must be at most 100")
}

@Test func sourceIsKeptAsWritten() throws {
    let value = try json(##"{"type":"string","description":"d"}"##)
    #expect(try JSONSchema(value).source == value)
}

@Test func compiledSchemasAreSendable() async throws {
    let compiled = try schema(##"{"type":"object","properties":{"n":{"type":"integer","pattern":"x"}},"required":["n"]}"##)
    let results = await withTaskGroup(of: Bool.self) { group in
        for i in 0..<16 {
            group.addTask { compiled.validate(["n": .int(Int64(i))]).isEmpty }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.allSatisfy { $0 })
}

@Test func performanceSanity() throws {
    var properties = JSONObject()
    var instanceObject = JSONObject()
    var required: [JSONValue] = []
    for i in 0..<20 {
        let name = "field\(i)"
        switch i % 4 {
        case 0:
            properties[name] = ["type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9]+$"]
            instanceObject[name] = .string("value\(i)")
        case 1:
            properties[name] = ["type": "integer", "minimum": 0, "maximum": 1000]
            instanceObject[name] = .int(Int64(i))
        case 2:
            properties[name] = ["type": "string", "enum": ["a", "b", "c"]]
            instanceObject[name] = "b"
        default:
            properties[name] = ["type": "array", "items": ["type": "boolean"], "maxItems": 5]
            instanceObject[name] = [true, false]
        }
        required.append(.string(name))
    }
    let compiled = try JSONSchema([
        "type": "object", "properties": .object(properties), "required": .array(required),
        "additionalProperties": false,
    ])
    let instance = JSONValue.object(instanceObject)
    var failures = 0
    for _ in 0..<10_000 where !compiled.validate(instance).isEmpty { failures += 1 }
    #expect(failures == 0)
}

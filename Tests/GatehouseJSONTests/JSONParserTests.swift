import Testing

@testable import GatehouseJSON

private func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(text)
}

/// The parser's error for `text`, or nil when it parses.
private func failure(_ text: String, maximumDepth: Int = JSONParser.defaultMaximumDepth) -> JSONParser.Error? {
    do {
        _ = try JSONParser.parse(text, maximumDepth: maximumDepth)
        return nil
    } catch {
        return error
    }
}

private func failure(bytes: [UInt8]) -> JSONParser.Error? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// Checks the exact case, since `==` on JSONValue treats 1 and 1.0 as equal.
private func isInt(_ value: JSONValue, _ expected: Int64) -> Bool {
    if case .int(let i) = value { return i == expected }
    return false
}

private func isDouble(_ value: JSONValue, _ expected: Double) -> Bool {
    if case .double(let d) = value { return d == expected }
    return false
}

// MARK: - Literals and whitespace

@Test func literals() throws {
    #expect(try parse("true") == .bool(true))
    #expect(try parse("false") == .bool(false))
    #expect(try parse("null") == .null)
    #expect(try parse("null").isNull)
}

@Test func badLiterals() {
    #expect(failure("tru")?.message == "unexpected end of input")
    #expect(failure("trux")?.message == "invalid literal")
    #expect(failure("nul")?.message == "unexpected end of input")
    #expect(failure("True")?.message == "unexpected character")
    #expect(failure("nall")?.message == "invalid literal")
    #expect(failure("nan")?.message == "unexpected end of input", "too short to be null")
    #expect(failure("undefined")?.message == "unexpected character")
}

@Test func whitespaceAroundValues() throws {
    #expect(try parse(" \t\r\n 1 \n\t") == 1)
    #expect(try parse("[ 1 , { \"a\" : [ ] } ]") == [1, ["a": []]])
    #expect(failure("\u{0B}1")?.message == "unexpected character", "vertical tab is not JSON whitespace")
    #expect(failure("\u{A0}1")?.message == "unexpected character", "no-break space is not JSON whitespace")
}

@Test func emptyInput() {
    let error = failure("")
    #expect(error?.message == "unexpected end of input")
    #expect(error?.offset == 0)
    #expect(failure("   \n ")?.message == "unexpected end of input")
    #expect(failure("   \n ")?.offset == 5)
    #expect(failure(bytes: [])?.message == "unexpected end of input")
}

@Test func trailingGarbageIsRejected() {
    #expect(failure("1 2")?.message == "unexpected data after the JSON value")
    #expect(failure("1 2")?.offset == 2)
    #expect(failure("{}x")?.offset == 2)
    #expect(failure("[1]]")?.message == "unexpected data after the JSON value")
    #expect(failure("null,")?.message == "unexpected data after the JSON value")
    #expect(failure("\"a\"\"b\"")?.message == "unexpected data after the JSON value")
}

@Test func errorDescriptionHasTheOffset() {
    let error = failure("[1,]")
    #expect(error?.message == "unexpected character")
    #expect(error?.offset == 3)
    #expect(error?.description == "unexpected character at byte 3")
}

// MARK: - Numbers

@Test func integers() throws {
    #expect(isInt(try parse("0"), 0))
    #expect(isInt(try parse("-0"), 0))
    #expect(isInt(try parse("42"), 42))
    #expect(isInt(try parse("-17"), -17))
    #expect(isInt(try parse("9223372036854775807"), .max))
    #expect(isInt(try parse("-9223372036854775808"), .min))
    #expect(isInt(try parse("12345678901234567"), 12_345_678_901_234_567))
}

@Test func integersBeyondInt64BecomeDoubles() throws {
    #expect(isDouble(try parse("9223372036854775808"), 9_223_372_036_854_775_808.0))
    #expect(isDouble(try parse("-9223372036854775809"), -9_223_372_036_854_775_809.0))
    #expect(isDouble(try parse("123456789012345678901234567890"), 1.2345678901234568e29))
}

@Test func fractionsAndExponents() throws {
    #expect(isDouble(try parse("1.5"), 1.5))
    #expect(isDouble(try parse("-0.25"), -0.25))
    #expect(isDouble(try parse("1e3"), 1000))
    #expect(isDouble(try parse("1E+2"), 100))
    #expect(isDouble(try parse("2.5e-3"), 0.0025))
    #expect(isDouble(try parse("1.0"), 1.0), "a fraction keeps the value a double")
    #expect(isDouble(try parse("1e-400"), 0))
}

@Test func malformedNumbersAreRejected() {
    #expect(failure("-")?.message == "invalid number")
    #expect(failure("-a")?.message == "invalid number")
    #expect(failure("01")?.message == "leading zero in number")
    #expect(failure("-012")?.message == "leading zero in number")
    #expect(failure("1.")?.message == "invalid number")
    #expect(failure("1.e5")?.message == "invalid number")
    #expect(failure("1e")?.message == "invalid number")
    #expect(failure("1e+")?.message == "invalid number")
    #expect(failure(".5")?.message == "unexpected character")
    #expect(failure("+1")?.message == "unexpected character")
    #expect(failure("0x10")?.message == "unexpected data after the JSON value")
    #expect(failure("1e400")?.message == "number out of range")
    #expect(failure("[-1e999]")?.offset == 1)
}

// MARK: - Strings

@Test func plainAndEscapedStrings() throws {
    #expect(try parse(#""""#) == "")
    #expect(try parse(#""hello""#) == "hello")
    #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == "a\"b\\c/d\u{08}\u{0C}\n\r\t")
    #expect(try parse(#""\u0041\u00e9\u20AC""#) == "Aé€")
    #expect(try parse(#""\u0000""#) == "\u{0}")
    #expect(try parse("\"żółw 😀\"") == "żółw 😀", "raw UTF-8 passes through")
}

@Test func surrogatePairs() throws {
    #expect(try parse(#""\ud83d\ude00""#) == "😀")
    #expect(try parse(#""x\uD834\uDD1Ey""#) == "x𝄞y")
}

@Test func loneSurrogatesAreRejected() {
    #expect(failure(#""\ud800""#)?.message == "lone surrogate in string")
    #expect(failure(#""\udc00""#)?.message == "lone surrogate in string")
    #expect(failure(#""\ud800x""#)?.message == "lone surrogate in string")
    #expect(failure(#""\ud800\u0041""#)?.message == "invalid surrogate pair")
    #expect(failure(#""\ud800\ud800""#)?.message == "invalid surrogate pair")
}

@Test func badEscapesAreRejected() {
    #expect(failure(#""\x41""#)?.message == "invalid escape sequence")
    #expect(failure(#""\u12G4""#)?.message == "invalid unicode escape")
    #expect(failure(#""\u12" "#)?.message == "invalid unicode escape")
    #expect(failure(#""\u1"#)?.message == "unexpected end of input")
    #expect(failure(#""abc\"#)?.message == "unexpected end of input")
}

@Test func unterminatedStrings() {
    #expect(failure(#""abc"#) != nil)
    #expect(failure(#""a\nb"#)?.message == "unterminated string")
}

@Test func invalidUTF8IsRejected() {
    let quote: UInt8 = 0x22
    #expect(failure(bytes: [quote, 0xFF, quote])?.message == "invalid UTF-8 in string")
    #expect(failure(bytes: [quote, 0xC3, quote])?.message == "invalid UTF-8 in string", "truncated sequence")
    #expect(failure(bytes: [quote, 0xC0, 0xAF, quote])?.message == "invalid UTF-8 in string", "overlong encoding")
    #expect(failure(bytes: [quote, 0xED, 0xA0, 0x80, quote])?.message == "invalid UTF-8 in string", "encoded surrogate")
    // The slow path (after an escape) checks too.
    #expect(failure(bytes: [quote, 0x5C, 0x6E, 0xFF, quote])?.message == "invalid UTF-8 in string")
    #expect(failure(bytes: [quote, 0xFF, quote])?.offset == 1)
    // Outside strings a stray byte is just an unexpected character.
    #expect(failure(bytes: [0xFF])?.message == "unexpected character")
}

@Test func controlCharactersInStringsAreRejected() throws {
    #expect(failure("\"a\u{01}b\"")?.message == "control character in string")
    #expect(failure("\"a\nb\"")?.message == "control character in string")
    #expect(failure("\"a\tb\"")?.message == "control character in string")
    #expect(failure("\"\\n\u{1F}\"")?.message == "control character in string", "after an escape too")
    #expect(failure("\"a\u{01}b\"")?.offset == 2)
    #expect(try parse("\"a\u{7F}b\"") == "a\u{7F}b", "DEL is not a control character in JSON")
}

// MARK: - Containers

@Test func arraysAndObjects() throws {
    #expect(try parse("[]") == [])
    #expect(try parse("{}") == [:])
    #expect(try parse(#"[1,"a",null,true,[2],{"k":false}]"#) == [1, "a", nil, true, [2], ["k": false]])
    let object = try parse(#"{"a":{"b":[1,{"c":"d"}]}}"#)
    #expect(object["a"]?["b"]?.arrayValue?.count == 2)
}

@Test func objectKeyOrderIsPreserved() throws {
    let object = try #require(try parse(#"{"z":1,"a":2,"m":3}"#).objectValue)
    #expect(Array(object.keys) == ["z", "a", "m"])
}

@Test func duplicateKeysAreRejected() {
    #expect(failure(#"{"a":1,"a":2}"#)?.message == #"duplicate key "a""#)
    #expect(failure(#"{"a":1,"b":{"a":2},"a":3}"#)?.message == #"duplicate key "a""#)
    #expect(failure(#"{"\u0061":1,"a":2}"#)?.message == #"duplicate key "a""#, "escapes are decoded before comparing")
}

@Test func malformedContainers() {
    #expect(failure("[1,2")?.message == "unexpected end of input")
    #expect(failure("[1 2]")?.message == "expected ',' or ']'")
    #expect(failure("{\"a\" 1}")?.message == "expected ':'")
    #expect(failure("{\"a\":1 \"b\":2}")?.message == "expected ',' or '}'")
    #expect(failure("{a:1}")?.message == "expected a string key")
    #expect(failure("{\"a\":1,}")?.message == "expected a string key")
    #expect(failure("{\"a\":1")?.message == "unexpected end of input")
    #expect(failure("[")?.message == "unexpected end of input")
    #expect(failure("{")?.message == "expected a string key")
}

@Test func deepNestingIsAnErrorNotACrash() {
    let deepArrays = String(repeating: "[", count: 10_000)
    #expect(failure(deepArrays)?.message == "nesting deeper than 128 levels")
    #expect(failure(deepArrays)?.offset == 128)
    let deepObjects = String(repeating: "{\"a\":", count: 10_000)
    #expect(failure(deepObjects)?.message == "nesting deeper than 128 levels")
    let balanced = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(failure(balanced)?.message == "nesting deeper than 128 levels")
}

@Test func depthLimitIsExact() throws {
    let atLimit = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
    #expect(failure(atLimit) == nil)
    let overLimit = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
    #expect(failure(overLimit)?.message == "nesting deeper than 128 levels")
    #expect(failure("[[[]]]", maximumDepth: 2)?.message == "nesting deeper than 2 levels")
    #expect(failure("[[]]", maximumDepth: 2) == nil)
    #expect(failure("[1,[2],[3]]", maximumDepth: 2) == nil, "siblings do not add depth")
}

@Test func rawBufferEntryPoint() throws {
    let bytes = Array(#"{"k":[1,2.5]}"#.utf8)
    let value = try bytes.withUnsafeBytes { buffer in try JSONParser.parse(buffer) }
    #expect(value == ["k": [1, 2.5]])
}

// MARK: - JSONValue helpers

@Test func valueAccessorsAndTypeNames() {
    let value: JSONValue = ["s": "x", "i": 3, "d": 2.5, "w": 4.0, "b": true, "a": [1], "n": nil]
    #expect(value["s"]?.stringValue == "x")
    #expect(value["i"]?.integerValue == 3)
    #expect(value["w"]?.integerValue == 4)
    #expect(value["d"]?.integerValue == nil)
    #expect(value["d"]?.doubleValue == 2.5)
    #expect(value["b"]?.boolValue == true)
    #expect(value["a"]?.arrayValue == [1])
    #expect(value["missing"] == nil)
    #expect(JSONValue.string("x")["key"] == nil)
    #expect(value["i"]?.typeName == "integer")
    #expect(value["w"]?.typeName == "integer")
    #expect(value["d"]?.typeName == "number")
    #expect(value["n"]?.typeName == "null")
    #expect(value.typeName == "object")
}

@Test func equalityIgnoresKeyOrderAndNumberRepresentation() {
    #expect(JSONValue.int(1) == JSONValue.double(1.0))
    #expect(JSONValue.int(1) != JSONValue.double(1.5))
    #expect((["a": 1, "b": 2] as JSONValue) == (["b": 2, "a": 1] as JSONValue))
    #expect((["a": 1] as JSONValue) != (["a": 1, "b": 2] as JSONValue))
    #expect(([1, 2] as JSONValue) != ([2, 1] as JSONValue))
    #expect(JSONValue.string("1") != JSONValue.int(1))
    #expect(JSONValue.bool(false) != JSONValue.null)
}

import Testing

@testable import GatehouseJSON

private func text(_ value: JSONValue) -> String { value.jsonString }

@Test func writesLiteralsAndContainers() {
    #expect(text(nil) == "null")
    #expect(text(true) == "true")
    #expect(text(false) == "false")
    #expect(text([]) == "[]")
    #expect(text([:]) == "{}")
    #expect(text([1, "a", nil, [true]]) == #"[1,"a",null,[true]]"#)
    #expect(text(["a": ["b": [1, 2]]]) == #"{"a":{"b":[1,2]}}"#)
}

@Test func writesIntegers() {
    #expect(text(0) == "0")
    #expect(text(7) == "7")
    #expect(text(10) == "10")
    #expect(text(-1) == "-1")
    #expect(text(.int(.max)) == "9223372036854775807")
    #expect(text(.int(.min)) == "-9223372036854775808")
}

@Test func writesDoubles() {
    #expect(text(1.5) == "1.5")
    #expect(text(-0.25) == "-0.25")
    #expect(text(1e-7) == "1e-07")
    #expect(text(3.0) == "3", "integral doubles are written as integers")
    #expect(text(-2.0) == "-2")
    #expect(text(999_999_999_999_999.0) == "999999999999999")
    #expect(text(1e20) == "1e+20", "large integral doubles keep exponent notation")
    #expect(text(1e15) == "1000000000000000.0", "1e15 is past the integer range but Swift prints it in full")
    #expect(text(1e16) == "1e+16")
    #expect(text(.double(.infinity)) == "null")
    #expect(text(.double(-.infinity)) == "null")
    #expect(text(.double(.nan)) == "null")
}

@Test func doublesRoundTripThroughTheParser() throws {
    for value in [1.5, 1e-7, 1e20, 1e15, 0.1, 123456.789, -3.25e-300, 1.7976931348623157e308, 5e-324] {
        let parsed = try JSONParser.parse(text(.double(value)))
        #expect(parsed.doubleValue == value, "\(value) → \(text(.double(value)))")
    }
}

@Test func escapesQuotesBackslashesAndControlCharacters() {
    #expect(text("say \"hi\"") == #""say \"hi\"""#)
    #expect(text("a\\b") == #""a\\b""#)
    #expect(text("l1\nl2\r\tx") == #""l1\nl2\r\tx""#)
    #expect(text("\u{0}\u{1}\u{08}\u{0C}\u{1F}") == #""\u0000\u0001\u0008\u000c\u001f""#)
    #expect(text("/ é 😀 \u{7F}") == "\"/ é 😀 \u{7F}\"", "slash, non-ASCII and DEL are written as they are")
    #expect(text(["k\"ey": "v"]) == #"{"k\"ey":"v"}"#, "keys are escaped too")
}

@Test func stringsRoundTrip() throws {
    let samples = [
        "", "plain", "quote\"backslash\\", "\u{0}\u{1}\u{1F}\u{7F}", "tab\tnew\nline\rcr", "żółw 😀 𝄞", "\u{2028}\u{2029}",
        String(repeating: "x\"", count: 1000),
    ]
    for sample in samples {
        #expect(try JSONParser.parse(text(.string(sample))) == .string(sample))
    }
}

@Test func documentsRoundTrip() throws {
    let source = #"{"id":12345678901234567,"name":"Zoë \"Z\"","tags":["a","b"],"nested":{"ok":true,"none":null,"n":-1.5},"list":[[],{}]}"#
    let value = try JSONParser.parse(source)
    #expect(value.jsonString == source)
    #expect(try JSONParser.parse(value.jsonBytes) == value)
}

@Test func keyOrderIsPreserved() {
    var object = JSONObject()
    object["zeta"] = 1
    object["alpha"] = 2
    object["mid"] = 3
    #expect(text(.object(object)) == #"{"zeta":1,"alpha":2,"mid":3}"#)
    let literal: JSONValue = ["b": 1, "a": 2]
    #expect(text(literal) == #"{"b":1,"a":2}"#)
}

@Test func writerAppendsToItsBuffer() {
    var writer = JSONWriter()
    writer.writeRaw(Array("[".utf8))
    writer.write("a")
    writer.append(",")
    writer.writeInteger(42)
    writer.append(",")
    writer.writeDouble(0.5)
    writer.writeRaw(Array("]".utf8))
    #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["a",42,0.5]"#)
}

@Test func jsonBytesMatchesJsonString() {
    let value: JSONValue = ["k": ["é", 1, 2.5]]
    #expect(value.jsonBytes == Array(value.jsonString.utf8))
}

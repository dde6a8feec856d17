import Testing

@testable import GatehouseJSON

/// Compaction must accept exactly what the parser accepts, and give JSON
/// equal to what it read.
@Suite struct JSONCompactionTests {
    static func compact(_ text: String) -> String? {
        JSONCompaction.compacted(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func whitespaceBetweenTokensGoesAndTextStaysAsWritten() {
        let pretty = """
            {
              "id" : 12345678901234567890123,
              "price": 1.50, "ratio": -0.5e-3,
              "name": "caf\\u00e9 \\"bar\\" \\/ 👍 tab\\there",
              "tags": [ "a" , "b" ], "empty": {}, "none": [ ],
              "ok": true, "no": false, "nothing": null
            }
            """
        #expect(Self.compact(pretty) == #"{"id":12345678901234567890123,"price":1.50,"ratio":-0.5e-3,"name":"café \"bar\" / 👍 tab\there","tags":["a","b"],"empty":{},"none":[],"ok":true,"no":false,"nothing":null}"#)
        #expect(Self.compact("  42 ") == "42")
        #expect(Self.compact("\"a b\"") == "\"a b\"")
    }

    /// A sample of every kind of value, written pretty and compact: the
    /// compacted text parses to the same values.
    @Test(arguments: [
        #"{"a": [1, 2.5, -3e2, {"b": [true, false, null]}], "c": "\ud83d\ude00 é", "d": {}}"#,
        #"[[[[[]]]], {"": ""}, "\u0000\u001f", 0, -0, 1E+2]"#,
        #"{"items": [{"id": 1, "title": "Ticket\n1", "labels": []}, {"id": 2, "title": "Two", "labels": ["x"]}]}"#,
    ])
    func compactedTextParsesToTheSameValue(text: String) throws {
        let compacted = try #require(Self.compact(text))
        #expect(try JSONParser.parse(compacted) == JSONParser.parse(text))
        #expect(!compacted.contains("\n") && !compacted.contains(", "))
    }

    /// Strings come out byte for byte as the parser and the writer give them.
    @Test func stringsAreWrittenAsTheWriterWritesThem() throws {
        let text = #"["\u00e9\ud83d\ude00", "\/\b\f\n\r\t\u0001\u001f\u007f", "\u0022\u005c\u002f", "plain", "", "mixed \"q\" \\ end"]"#
        let compacted = try #require(JSONCompaction.compacted(Array(text.utf8)))
        #expect(compacted == (try JSONParser.parse(text)).jsonBytes)
    }

    /// Whatever the parser refuses, compaction refuses.
    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", "1.e5", "1e", "1e+", "-", "+1", ".5",
        "NaN", "Infinity", "tru", "nul", "[true false]", "\"abc", "\"a\nb\"", "\"\\x41\"", "\"\\u12G4\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "{} {}", "[1] x", "'single'",
    ])
    func invalidDocumentsAreRefused(text: String) {
        #expect(Self.compact(text) == nil)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        let quote = UInt8(ascii: "\"")
        for bytes in [[quote, 0xFF, quote], [quote, 0xC3, quote], [quote, 0xC0, 0xAF, quote], [quote, 0xED, 0xA0, 0x80, quote]] {
            #expect(JSONCompaction.compacted(bytes) == nil, "\(bytes)")
        }
        #expect(JSONCompaction.compacted([quote, 0xC3, 0xA9, quote]) == [quote, 0xC3, 0xA9, quote])
    }

    /// Written into the string's own storage, the text is the same; where
    /// it comes out longer than the input (`\b` written as `\u0008`), too.
    @Test(arguments: [
        #"{ "a" : [1, 2.5, {"b": null}], "c": "caf\u00e9 \"q\"" }"#, #"["\b"]"#, #""\f\b\f""#, #"  "x\by"  "#, "1", #"[""]"#,
    ])
    func textIsWrittenInPlaceAsTheArrayWouldHoldIt(text: String) throws {
        let bytes = Array(text.utf8)
        let array = try #require(JSONCompaction.compacted(bytes))
        #expect(JSONCompaction.compactedText(bytes) == String(decoding: array, as: UTF8.self))
    }

    @Test func textOfAnInvalidDocumentIsNil() {
        for text in ["", "[1,]", #"{"a" 1}"#, #""\ud800""#] {
            #expect(JSONCompaction.compactedText(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(JSONCompaction.compactedText([0x22, 0xFF, 0x22]) == nil)
    }

    /// The one difference from the parser, on purpose: a repeated name
    /// is passed on as the upstream wrote it.
    @Test func aRepeatedNameIsPassedOnAsWritten() {
        #expect(Self.compact(#"{"a": 1, "a": 2}"#) == #"{"a":1,"a":2}"#)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(JSONCompaction.compacted(Array(deep.utf8)) == nil)
        #expect(JSONCompaction.compacted(Array(deep.utf8), maximumDepth: 200) != nil)
    }
}

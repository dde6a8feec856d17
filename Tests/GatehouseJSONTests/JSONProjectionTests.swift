import Testing

@testable import GatehouseJSON

/// A projection must give what parsing the whole document and then taking
/// the path and the members gives, and refuse what the parser refuses
/// wherever in the document it sits.
@Suite struct JSONProjectionTests {
    static let answer = #"""
        {
          "meta": {"total": 3, "next": null, "tags": ["a", {"deep": [1, 2, {"x": "caf\u00e9"}]}]},
          "items": [
            {"id": 1, "title": "One", "labels": ["bug"], "owner": {"login": "ann", "id": 7}, "state": "open"},
            {"id": 2, "title": "Two \"quoted\"", "labels": [], "owner": null, "state": "closed", "body": "x\ny"},
            "not an object",
            [{"id": 9}],
            {"title": "no id"}
          ],
          "count": 3
        }
        """#

    static func project(_ text: String, _ path: [String], _ members: [String]? = nil) -> JSONValue? {
        JSONProjection.value(in: Array(text.utf8), at: path, keeping: members)
    }

    /// What the projection stands for: the parsed document, the value at
    /// the path, its objects (its own, or those of its arrays at any depth)
    /// cut to the members, in their order.
    static func expected(_ text: String, _ path: [String], _ members: [String]?) throws -> JSONValue {
        var value = try JSONParser.parse(text)
        for step in path {
            switch value {
            case .object(let object): value = object[step] ?? .null
            case .array(let array):
                guard let index = Int(step), array.indices.contains(index) else { return .null }
                value = array[index]
            default: return .null
            }
        }
        guard let members else { return value }
        func cut(_ value: JSONValue) -> JSONValue {
            switch value {
            case .array(let items): return .array(items.map(cut))
            case .object(let object):
                var kept = JSONObject()
                for member in members { if let value = object[member] { kept[member] = value } }
                return .object(kept)
            default: return value
            }
        }
        return cut(value)
    }

    @Test(arguments: [
        [], ["items"], ["meta"], ["meta", "total"], ["meta", "tags", "1", "deep", "2"], ["items", "0", "owner"],
        ["items", "1", "title"], ["items", "9"], ["items", "-1"], ["items", "x"], ["missing"], ["count", "deeper"],
        ["meta", "next", "x"],
    ])
    func theValueAtAPathIsTheParsedOne(path: [String]) throws {
        #expect(Self.project(Self.answer, path) == (try Self.expected(Self.answer, path, nil)))
        for members: [String] in [["id"], ["id", "owner"], ["owner", "id"], ["title", "body"], [], ["nothing"]] {
            #expect(Self.project(Self.answer, path, members) == (try Self.expected(Self.answer, path, members)), "\(members)")
        }
    }

    @Test func onlyTheKeptMembersOfTheItemsAreRead() throws {
        let kept = try #require(Self.project(Self.answer, ["items"], ["id", "owner"]))
        #expect(kept == [
            ["id": 1, "owner": ["login": "ann", "id": 7]], ["id": 2, "owner": nil], "not an object", [["id": 9]], [:],
        ])
        // In the order named, as `fields` keeps them; arrays within arrays too.
        let reordered = try #require(Self.project(Self.answer, ["items"], ["owner", "id"]))
        #expect(reordered.arrayValue?.first?.objectValue.map { Array($0.keys) } == ["owner", "id"])
        #expect(Self.project(#"[[{"a": 1, "b": 2}], {"b": 3, "c": 4}]"#, [], ["b"]) == [[["b": 2]], ["b": 3]])
        #expect(Self.project(#"{"id": 1, "other": [1, 2]}"#, [], ["id"]) == ["id": 1])
        #expect(Self.project(#"  "text"  "#, [], ["id"]) == "text")
    }

    /// Every document the parser refuses is refused when the fault sits in
    /// a part the walk skips, in the part it keeps, or on its path.
    @Test(arguments: [
        "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", "1e+", "-", "+1", ".5", "NaN", "tru", "\"abc",
        "\"a\nb\"", "\"\\x41\"", "\"\\u12G4\"", "\"\\ud800\"", "\"\\udc00\"", "'single'",
    ])
    func aFaultAnywhereRefusesTheDocument(fault: String) {
        #expect(Self.project(#"{"skipped": \#(fault), "items": [{"id": 1}]}"#, ["items"], ["id"]) == nil)
        #expect(Self.project(#"{"items": [{"id": 1, "skipped": \#(fault)}]}"#, ["items"], ["id"]) == nil)
        #expect(Self.project(#"{"items": [{"id": \#(fault)}]}"#, ["items"], ["id"]) == nil)
        #expect(Self.project(#"{"items": [{"id": 1}], "after": \#(fault)}"#, ["items"]) == nil)
        #expect(Self.project(#"[\#(fault), {"id": 1}]"#, ["1"]) == nil)
    }

    @Test func trailingDataAndEmptyInputAreRefused() {
        #expect(Self.project(#"{"items": []} x"#, ["items"]) == nil)
        #expect(Self.project(#"{"items": []} {}"#, ["items"]) == nil)
        #expect(Self.project("", ["items"]) == nil)
        #expect(Self.project("   ", []) == nil)
    }

    @Test func invalidUTF8InASkippedStringIsRefused() {
        var bytes = Array(#"{"skipped": "ab", "items": []}"#.utf8)
        bytes[13] = 0xFF
        #expect(JSONProjection.value(in: bytes, at: ["items"], keeping: nil) == nil)
        bytes[13] = 0xC3
        bytes[14] = 0xA9
        #expect(JSONProjection.value(in: bytes, at: ["items"], keeping: nil) == [])
    }

    @Test func depthIsBoundedInSkippedParts() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(Self.project(#"{"skipped": \#(deep), "items": []}"#, ["items"]) == nil)
        #expect(JSONProjection.value(in: Array(#"{"skipped": \#(deep), "items": []}"#.utf8), at: ["items"], keeping: nil, maximumDepth: 201) == [])
    }

    /// A repeated name is refused where the walk reads it; inside an
    /// object it skips it is not looked for.
    @Test func repeatedNamesAreRefusedWhereTheyAreRead() {
        #expect(Self.project(#"{"items": [], "items": [1]}"#, ["items"]) == nil)
        #expect(Self.project(#"{"items": [{"id": 1, "id": 2}]}"#, ["items"], ["id"]) == nil)
        #expect(Self.project(#"{"items": [{"id": {"a": 1, "a": 2}}]}"#, ["items"], ["id"]) == nil)
        #expect(Self.project(#"{"items": [{"id": 1, "x": 1, "x": 2}]}"#, ["items"], ["id"]) == [["id": 1]])
        #expect(Self.project(#"{"meta": {"a": 1, "a": 2}, "items": []}"#, ["items"]) == [])
    }
}

@testable import ConnectorTesting
import GatehouseJSON
import Testing

@Suite struct LineDiffTests {
    @Test func marksWhatChangedWithContext() {
        let expected = (1...10).map { "line \($0)" }.joined(separator: "\n")
        let actual = expected.replacingOccurrences(of: "line 5", with: "line five")
        #expect(LineDiff.render(expected: expected, actual: actual) == [
            "  line 3", "  line 4", "- line 5", "+ line five", "  line 6", "  line 7",
        ])
    }

    @Test func farApartChangesAreSeparated() {
        let expected = (1...12).map { "l\($0)" }.joined(separator: "\n")
        let actual = expected.replacingOccurrences(of: "l1\n", with: "x\n").replacingOccurrences(of: "l12", with: "y")
        let lines = LineDiff.render(expected: expected, actual: actual, context: 1)
        #expect(lines == ["- l1", "+ x", "  l2", "  …", "  l11", "- l12", "+ y"])
    }

    @Test func prettyJSONSortsKeysForComparison() {
        let value: JSONValue = ["b": [1, ["d": true, "c": nil]], "a": "x"]
        #expect(PrettyJSON.text(value, sortingKeys: true) == """
            {
              "a": "x",
              "b": [
                1,
                {
                  "c": null,
                  "d": true
                }
              ]
            }
            """)
        #expect(PrettyJSON.text([:]) == "{}")
    }
}

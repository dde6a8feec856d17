import ConnectorModel
import GatehouseJSON
import Upstream

/// Holds a tool result against what its case expects.
struct ResultCheck {
    let expected: ExpectedResult

    func mismatches(_ result: ToolResult) -> [Mismatch] {
        var found: [Mismatch] = []
        let text = result.joinedText
        if let isError = expected.isError, isError != result.isError {
            found.append(Mismatch(
                what: "result", expected: isError ? "an error" : "a success",
                actual: (result.isError ? "an error: " : "a success: ") + RequestCheck.quoted(String(text.prefix(300)))))
        }
        if let expectedText = expected.text, expectedText != text {
            // Long texts are diffed line by line; short ones shown quoted.
            let long = expectedText.contains("\n") || text.contains("\n")
            found.append(Mismatch(
                what: "text", expected: long ? expectedText : RequestCheck.quoted(expectedText), actual: long ? text : RequestCheck.quoted(text)))
        }
        for piece in expected.textContains where !text.contains(piece) {
            found.append(Mismatch(what: "text", expected: "to contain " + RequestCheck.quoted(piece), actual: RequestCheck.quoted(text)))
        }
        if let structured = expected.structuredContent {
            if let actual = result.structuredContent {
                if actual != structured {
                    found.append(Mismatch(
                        what: "structured_content", expected: PrettyJSON.text(structured, sortingKeys: true),
                        actual: PrettyJSON.text(actual, sortingKeys: true)))
                }
            } else {
                let reason = result.schemaMismatch.map { "none (the answer does not match the output schema: \($0))" } ?? "none"
                found.append(Mismatch(what: "structured_content", expected: "a value", actual: reason))
            }
        }
        return found
    }
}

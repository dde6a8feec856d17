import HTTPTypes
import Testing

@testable import MCPProtocol

/// The Accept header decides between a JSON reply, an SSE reply and 406; it
/// is read byte by byte, so its edge cases get their own table.
struct AcceptHeaderTests {
    static let cases: [(header: String?, json: Bool, eventStream: Bool)] = [
        (nil, true, true),
        ("", true, true),
        ("*/*", true, true),
        ("application/json", true, false),
        ("APPLICATION/JSON", true, false),
        ("application/*", true, false),
        ("text/event-stream", false, true),
        ("text/*", false, true),
        ("application/json, text/event-stream", true, true),
        ("  application/json  ,\ttext/event-stream\t", true, true),
        ("text/event-stream, application/json;q=0.9", true, true),
        ("application/json;q=0", false, false),
        ("application/json; q=0.000, text/event-stream", false, true),
        ("application/json;Q = 0", false, false),
        ("application/json;q=0.5", true, false),
        ("application/json;q=0.01", true, false),
        ("application/json;charset=utf-8;q=0", false, false),
        ("application/json;charset=utf-8", true, false),
        ("application/json;level", true, false),
        ("text/html, image/png", false, false),
        ("application/jsonx, text/event-streamy", false, false),
        (",,,", false, false),
        (";q=0", false, false),
        ("application/json;", true, false),
    ]

    @Test(arguments: cases)
    func acceptHeader(header: String?, json: Bool, eventStream: Bool) {
        var fields = HTTPFields()
        if let header { fields[.accept] = header }
        let acceptance = fields.acceptance
        #expect(acceptance.json == json, "json for \(header ?? "nil")")
        #expect(acceptance.eventStream == eventStream, "event stream for \(header ?? "nil")")
    }
}

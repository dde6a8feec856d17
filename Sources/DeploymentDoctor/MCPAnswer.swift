import GatehouseJSON

/// The JSON-RPC message in an answer to a POST, whether the server sent it
/// as JSON or as a stream of server-sent events.
enum MCPAnswer {
    /// The response with `id`, or why there is none.
    static func message(in response: DoctorResponse, id: Int) -> Result<JSONValue, Problem> {
        let type = (response.header("content-type") ?? "").lowercased()
        if type.hasPrefix("text/event-stream") {
            for event in events(response.text) {
                guard let value = try? JSONParser.parse(event) else { continue }
                if value["id"]?.integerValue == Int64(id) { return .success(value) }
            }
            return .failure(Problem("the event stream ended without the answer to request \(id)"))
        }
        guard type.hasPrefix("application/json") || type.isEmpty else {
            return .failure(Problem("the answer is \(type), not application/json or text/event-stream"))
        }
        do {
            return .success(try JSONParser.parse(response.body))
        } catch {
            return .failure(Problem("the answer is not JSON (\(error))"))
        }
    }

    /// The data of each event, its `data:` lines joined.
    static func events(_ text: String) -> [String] {
        var events: [String] = []
        var data: [Substring] = []
        // `\r\n` is one Character in Swift, and a newline like `\n`.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.isEmpty {
                if !data.isEmpty { events.append(data.joined(separator: "\n")) }
                data = []
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                data.append(value.hasPrefix(" ") ? value.dropFirst() : value)
            }
        }
        if !data.isEmpty { events.append(data.joined(separator: "\n")) }
        return events
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

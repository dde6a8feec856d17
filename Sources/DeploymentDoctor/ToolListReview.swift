import GatehouseJSON

/// What a model and Claude's client make of a tool list: names they
/// accept, descriptions and annotations to choose by, and a size that
/// leaves room in the context.
enum ToolListReview {
    static let maximumPages = 100
    /// One tool's definition beyond this crowds the context for one tool.
    static let largeToolBytes = 16 * 1024
    /// The whole list beyond this costs tens of thousands of tokens in
    /// every conversation.
    static let largeListBytes = 200 * 1024

    static func review(_ tools: [JSONValue], listBytes: Int) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        var seen: Set<String> = []
        var invalid: [String] = [], claudeUnfriendly: [String] = [], duplicates: [String] = []
        var undescribed: [String] = [], unannotated: [String] = [], large: [String] = []
        for tool in tools {
            let name = tool["name"]?.stringValue ?? ""
            if !seen.insert(name).inserted { duplicates.append(name) }
            if !isSpecName(name) {
                invalid.append(name.isEmpty ? "(empty)" : name)
            } else if name.utf8.count > 64 || name.contains(".") {
                claudeUnfriendly.append(name)
            }
            if (tool["description"]?.stringValue ?? "").allSatisfy(\.isWhitespace) { undescribed.append(name) }
            let annotations = tool["annotations"]
            if annotations?["readOnlyHint"] == nil, annotations?["destructiveHint"] == nil { unannotated.append(name) }
            if tool.jsonBytes.count > largeToolBytes { large.append(name) }
        }
        findings.append(.pass("tools", "tools/list gives \(tools.count) tool\(tools.count == 1 ? "" : "s") (\(size(listBytes)))."))
        if tools.isEmpty {
            findings.append(
                .warning("tools", "The server lists no tools.", fix: "Check that the connector files loaded (gatehouse: gatehouse check, /status)."))
        }
        if !invalid.isEmpty {
            findings.append(
                .failure(
                    "tool-names", "Tool names outside the specification's 1–128 letters, digits, _, - and .: \(list(invalid)).",
                    fix: "Rename them; clients may drop or refuse such tools."))
        }
        if !duplicates.isEmpty {
            findings.append(.failure("tool-names", "Tool names listed twice: \(list(duplicates)).", fix: "Give every tool its own name."))
        }
        if !claudeUnfriendly.isEmpty {
            findings.append(
                .warning(
                    "tool-names", "Names longer than 64 characters or with a dot, which the Claude API's tool names do not allow: \(list(claudeUnfriendly)).",
                    fix: "Keep names to 64 letters, digits, _ and -."))
        }
        if invalid.isEmpty, duplicates.isEmpty, claudeUnfriendly.isEmpty, !tools.isEmpty {
            findings.append(.pass("tool-names", "Every tool name is unique and fits Claude's rules."))
        }
        if !undescribed.isEmpty {
            findings.append(
                .warning("tool-descriptions", "Tools without a description: \(list(undescribed)).", fix: "Describe what each does and when to use it."))
        }
        if !unannotated.isEmpty {
            findings.append(
                .warning(
                    "tool-annotations", "Tools with neither readOnlyHint nor destructiveHint: \(list(unannotated)).",
                    fix: "Annotate each tool so clients can tell reads from changes and ask before the latter."))
        }
        if !large.isEmpty {
            findings.append(
                .warning(
                    "tool-size", "Tool definitions over \(largeToolBytes / 1024) KiB: \(list(large)).",
                    fix: "Shorten descriptions and schemas; the whole definition is sent to the model."))
        }
        if listBytes > largeListBytes {
            findings.append(
                .warning(
                    "tools-list-size", "tools/list is \(listBytes / 1024) KiB, which costs a large share of the context in every conversation.",
                    fix: "Offer fewer tools per endpoint (gatehouse: endpoints with their own tool sets) or shorter definitions."))
        }
        return findings
    }

    /// The 2026-07-28 specification's tool name rule.
    static func isSpecName(_ name: String) -> Bool {
        let count = name.utf8.count
        return count >= 1 && count <= 128 && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default: false
            }
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1024 ? "\(bytes) bytes" : "\(bytes / 1024) KiB"
    }

    /// At most five names, then how many more.
    static func list(_ names: [String]) -> String {
        let shown = names.prefix(5).joined(separator: ", ")
        return names.count > 5 ? "\(shown) and \(names.count - 5) more" : shown
    }
}

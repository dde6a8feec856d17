import ConnectorModel

/// `connectors.lock`: the fingerprint of every tool someone reviewed.
///
/// A text file meant for code review: one line per tool with its name, its
/// fingerprint and a short summary (connector, method and URL, title), in
/// name order, so a pull request that changes a tool shows one changed
/// line. Only the first two words of a line count; the summary is for the
/// reader.
public struct ConnectorLock: Sendable, Equatable {
    public static let fileName = "connectors.lock"

    /// Tool name → fingerprint.
    public var fingerprints: [String: String]
    /// Lines that could not be read, as `file:line:column` problems.
    public var problems: [Diagnostic]

    public init(fingerprints: [String: String] = [:], problems: [Diagnostic] = []) {
        self.fingerprints = fingerprints
        self.problems = problems
    }

    /// The lock for exactly these tools.
    public init(tools: [CatalogTool]) {
        var fingerprints: [String: String] = [:]
        for tool in tools { fingerprints[tool.name] = tool.fingerprint }
        self.init(fingerprints: fingerprints)
    }

    public init(parsing text: String, file: String) {
        var fingerprints: [String: String] = [:]
        var problems: [Diagnostic] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            let name = words.count > 0 ? String(words[0]) : ""
            let fingerprint = words.count > 1 ? String(words[1]) : ""
            guard ToolDefinition.isValidName(name), Self.isFingerprint(fingerprint) else {
                problems.append(Diagnostic(
                    file: file, line: index + 1, column: 1,
                    message: "a lock line is a tool name and its sha256: fingerprint; run `gatehouse lock` to rewrite the file"))
                continue
            }
            if fingerprints[name] != nil {
                problems.append(Diagnostic(file: file, line: index + 1, column: 1, message: "tool '\(name)' is locked twice"))
                continue
            }
            fingerprints[name] = fingerprint
        }
        self.init(fingerprints: fingerprints, problems: problems)
    }

    static func isFingerprint(_ text: String) -> Bool {
        text.hasPrefix("sha256:") && text.utf8.count == 39
            && text.utf8.dropFirst(7).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The file's text for `tools`, in name order.
    public static func render(_ tools: [CatalogTool]) -> String {
        var lines = [
            "# Tools reviewed for serving, one per line: name, fingerprint, summary.",
            "# Written by `gatehouse lock`; commit it beside the connector files. While this",
            "# file exists, a tool whose definition no longer matches its line is not served",
            "# in its new form until the file is written again (`gatehouse diff` shows why).",
        ]
        for tool in tools.sorted(by: { $0.name < $1.name }) {
            lines.append("\(tool.name) \(tool.fingerprint) \(summary(tool))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `tickets: DELETE /tickets/{id} — Delete a ticket`, on one line.
    public static func summary(_ tool: CatalogTool) -> String {
        var text = "\(tool.target.connector): \(tool.definition.method.rawValue) \(tool.definition.path.source)"
        if let title = tool.definition.title ?? tool.definition.annotations.title {
            text += " — " + title.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        if tool.definition.confirmation != nil { text += " [confirm]" }
        return text
    }

    /// How the tools found in the files differ from this lock.
    public func staleness(of tools: [CatalogTool]) -> [LockMismatch] {
        var mismatches: [LockMismatch] = []
        var seen = Set<String>()
        for tool in tools.sorted(by: { $0.name < $1.name }) {
            seen.insert(tool.name)
            switch fingerprints[tool.name] {
            case nil: mismatches.append(LockMismatch(tool: tool.name, kind: .notLocked))
            case tool.fingerprint?: break
            default: mismatches.append(LockMismatch(tool: tool.name, kind: .changed))
            }
        }
        for name in fingerprints.keys.sorted() where !seen.contains(name) {
            mismatches.append(LockMismatch(tool: name, kind: .gone))
        }
        return mismatches
    }
}

/// One way the files and the lock disagree.
public struct LockMismatch: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The tool is in the files but not in the lock.
        case notLocked = "not_locked"
        /// Its definition differs from the locked one.
        case changed
        /// The lock names a tool the files no longer have.
        case gone
    }

    public var tool: String
    public var kind: Kind

    public var description: String {
        switch kind {
        case .notLocked: "tool '\(tool)' is not in the lock"
        case .changed: "tool '\(tool)' differs from its locked definition"
        case .gone: "the lock names tool '\(tool)', which no file defines"
        }
    }
}

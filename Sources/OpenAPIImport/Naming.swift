import ConnectorModel

/// Names that the connector format accepts, made from names in the document.
enum Naming {
    /// The connector format's limit for tool, parameter and connector names.
    static let maximumLength = NameRules.maximumLength

    /// `findPetsByStatus` → `find_pets_by_status`, `HTTPStatus` →
    /// `http_status`, `get-user.v2` → `get_user_v2`: tool names read like
    /// the snake_case names models see from most MCP servers.
    static func snakeCase(_ text: String) -> String {
        let characters = Array(text)
        var words: [String] = []
        var word = ""
        func endWord() {
            if !word.isEmpty { words.append(word.lowercased()) }
            word = ""
        }
        for (index, character) in characters.enumerated() {
            guard character.isASCII, character.isLetter || character.isNumber else {
                endWord()
                continue
            }
            if character.isUppercase, let last = word.last {
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // A capital starts a word after a lower-case letter or digit
                // (`petId`), or ends an acronym before a lower-case letter
                // (`HTTPStatus` → `http`, `status`).
                if last.isLowercase || last.isNumber || (last.isUppercase && next?.isLowercase == true) {
                    endWord()
                }
            }
            word.append(character)
        }
        endWord()
        return words.joined(separator: "_")
    }

    /// A tool name for an operation: its operationId in snake_case, or the
    /// method and path (`get_pets_pet_id`) when it has none or nothing of it
    /// survives.
    static func toolName(operationId: String?, method: String, path: String) -> String {
        if let operationId {
            let name = shortened(snakeCase(operationId))
            if !name.isEmpty { return name }
        }
        return shortened(snakeCase(method + " " + path))
    }

    /// A snake_case name within the length limit. A long one keeps its first
    /// and last words, drops words from the middle and ends with a short
    /// hash of the whole name, so two long names that differ only past the
    /// cut stay apart and no name ends in `_`.
    static func shortened(_ name: String) -> String {
        guard name.count > maximumLength else { return name }
        let hash = shortHash(name)
        var words = name.split(separator: "_").map(String.init)
        let budget = maximumLength - hash.count - 1
        // Drop middle words, keeping the first (the verb) and the last (the object).
        while words.count > 2, words.joined(separator: "_").count > budget { words.remove(at: words.count / 2) }
        var kept = words.joined(separator: "_")
        if kept.count > budget { kept = String(kept.prefix(budget)) }
        while kept.hasSuffix("_") { kept.removeLast() }
        return kept + "_" + hash
    }

    /// Six hex digits of FNV-1a over the name: stable across runs and machines.
    static func shortHash(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: max(0, 8 - hex.count)) + hex).suffix(6))
    }

    /// A parameter name: the document's own when the format allows it,
    /// otherwise every other character replaced with `_`. Names starting
    /// `user.` are changed too, as they would refer to the signed-in caller
    /// in templates.
    static func parameterName(_ name: String) -> String {
        // Comparison suffixes say what they mean: Twilio's `StartTime<`
        // and `StartTime>` must not both become `StartTime_`.
        var spelled = name
        for (suffix, word) in [("<=", "_at_or_before"), (">=", "_at_or_after"), ("<", "_before"), (">", "_after")]
        where spelled.hasSuffix(suffix) {
            spelled = String(spelled.dropLast(suffix.count)) + word
            break
        }
        var cleaned = String(
            spelled.unicodeScalars.map { scalar -> Character in
                isParameterCharacter(scalar) ? Character(scalar) : "_"
            })
        if cleaned.hasPrefix("user.") { cleaned = "user_" + cleaned.dropFirst("user.".count) }
        cleaned = truncated(cleaned)
        return cleaned.isEmpty ? "value" : cleaned
    }

    static func isParameterCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
        default: false
        }
    }

    /// A connector name from the document's title: `Swagger Petstore -
    /// OpenAPI 3.0` → `swagger-petstore-openapi-3-0`.
    static func connectorName(fromTitle title: String) -> String {
        var name = ""
        var pendingDash = false
        for scalar in title.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9":
                if pendingDash { name += "-" }
                pendingDash = false
                name.unicodeScalars.append(scalar)
            default:
                pendingDash = !name.isEmpty
            }
        }
        name = truncated(name)
        while name.hasSuffix("-") { name.removeLast() }
        return name.isEmpty ? "openapi" : name
    }

    static func truncated(_ name: String) -> String {
        String(name.prefix(maximumLength))
    }

    /// `name`, or `name_2`, `name_3`, … when taken, still within the
    /// length limit.
    static func unique(_ name: String, among taken: Set<String>) -> String {
        guard taken.contains(name) else { return name }
        var counter = 2
        while true {
            let suffix = "_\(counter)"
            var stem = String(name.prefix(maximumLength - suffix.count))
            while stem.hasSuffix("_") { stem.removeLast() }
            let candidate = stem + suffix
            if !taken.contains(candidate) { return candidate }
            counter += 1
        }
    }
}

extension Naming {
    /// The connector format's rule for `connector:` names.
    static func isValidConnectorName(_ name: String) -> Bool { NameRules.isConnectorName(name) }
}

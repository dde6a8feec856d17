import GatehouseJSON

/// Reads a document tolerantly: what real documents get wrong in places the
/// import may never use should not stop the import. Each repair is counted
/// and reported as a note.
///
/// - Integers beyond 64 bits (`maximum: 9223372036854776000`, a JavaScript
///   rounding of 2^63), read as floating-point numbers, are clamped to the
///   64-bit range.
/// - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` inside a
///   3.1 document becomes 3.1's numeric form.
///
/// The tree is changed in place.
struct DocumentRepair {
    var clampedIntegers = 0
    var booleanExclusives = 0
    /// Whether the document is 3.1 or later, where bounds are numbers.
    let numericExclusives: Bool

    init(numericExclusives: Bool) {
        self.numericExclusives = numericExclusives
    }

    var notes: [String] {
        var notes: [String] = []
        if clampedIntegers > 0 {
            notes.append("\(clampedIntegers) integer\(clampedIntegers == 1 ? "" : "s") beyond 64 bits were clamped to the 64-bit range")
        }
        if booleanExclusives > 0 {
            notes.append(
                "\(booleanExclusives) OpenAPI 3.0-style boolean exclusiveMinimum/exclusiveMaximum became the 3.1 numeric form")
        }
        return notes
    }

    mutating func repair(_ value: inout JSONValue) {
        switch value {
        case .object:
            value.modifyObject { object in
                for index in object.values.indices { repair(&object.values[index]) }
                if numericExclusives { makeExclusivesNumeric(&object) }
            }
        case .array:
            value.modifyArray { items in
                for index in items.indices { repair(&items[index]) }
            }
        case .double(let number):
            guard let clamped = Self.clamped(number) else { return }
            clampedIntegers += 1
            value = .int(clamped)
        case .null, .bool, .int, .string:
            return
        }
    }

    /// `minimum: 0, exclusiveMinimum: true` → `exclusiveMinimum: 0`;
    /// `exclusiveMinimum: false` goes.
    mutating func makeExclusivesNumeric(_ object: inout JSONObject) {
        for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            guard case .bool(let flag)? = object[exclusive] else { continue }
            booleanExclusives += 1
            if flag, let boundValue = object[bound] {
                object[exclusive] = boundValue
                object.removeValue(forKey: bound)
            } else {
                object.removeValue(forKey: exclusive)
            }
        }
    }

    /// The 64-bit bound for a whole number outside the range, or nil.
    static func clamped(_ number: Double) -> Int64? {
        guard number.isFinite, number.rounded() == number else { return nil }
        if number >= 9_223_372_036_854_775_808.0 { return .max }
        if number < -9_223_372_036_854_775_808.0 { return .min }
        return nil
    }
}

import GatehouseJSON

extension JSONValue {
    /// Changes an object in place. The value is taken out of `self` first,
    /// so a tree held once is changed without copying: the import's passes
    /// over a large document's tree then cost no second tree.
    mutating func modifyObject(_ change: (inout JSONObject) -> Void) {
        guard case .object(var object) = self else { return }
        self = .null
        change(&object)
        self = .object(object)
    }

    /// Changes an array in place; see ``modifyObject(_:)``.
    mutating func modifyArray(_ change: (inout [JSONValue]) -> Void) {
        guard case .array(var items) = self else { return }
        self = .null
        change(&items)
        self = .array(items)
    }
}

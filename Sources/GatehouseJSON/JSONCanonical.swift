/// One spelling per value, for hashing and signing: objects with their
/// keys sorted, no white space, numbers and strings as the writer puts
/// them. Two values that are equal as JSON have the same bytes, whatever
/// order their keys arrived in.
extension JSONValue {
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        appendCanonical(to: &bytes)
        return bytes
    }

    public func appendCanonical(to bytes: inout [UInt8]) {
        switch self {
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += JSONValue.string(key).jsonBytes
                bytes.append(UInt8(ascii: ":"))
                object[key]!.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            bytes += jsonBytes
        }
    }
}

/// Addresses a metadata document may not be fetched from unless the
/// operator allows it: fetching a URL a client names must not become a way
/// to reach the gateway's own network (server-side request forgery).
public enum AddressPolicy {
    /// Loopback, private (RFC 1918, unique local), link-local, carrier-grade
    /// NAT, unspecified, multicast and reserved ranges.
    public static func isInternal(_ address: String) -> Bool {
        if let octets = ipv4(address) { return isInternal(ipv4: octets) }
        if let words = ipv6(address) {
            if words[0..<5].allSatisfy({ $0 == 0 }) && words[5] == 0xFFFF {
                // IPv4-mapped: judge the IPv4 address.
                return isInternal(ipv4: [UInt8(words[6] >> 8), UInt8(words[6] & 0xFF), UInt8(words[7] >> 8), UInt8(words[7] & 0xFF)])
            }
            if words.allSatisfy({ $0 == 0 }) { return true }  // ::
            if words[0..<7].allSatisfy({ $0 == 0 }) && words[7] == 1 { return true }  // ::1
            let first = words[0]
            return first & 0xFE00 == 0xFC00  // fc00::/7 unique local
                || first & 0xFFC0 == 0xFE80  // fe80::/10 link-local
                || first & 0xFF00 == 0xFF00  // multicast
                || (first == 0x2001 && words[1] == 0x0DB8)  // documentation
                || (first == 0x0064 && words[1] == 0xFF9B)  // NAT64 (may reach IPv4 internals)
        }
        return true  // not an address: refuse rather than guess
    }

    static func isInternal(ipv4 octets: [UInt8]) -> Bool {
        let (a, b) = (octets[0], octets[1])
        return a == 0 || a == 10 || a == 127 || a >= 224
            || (a == 100 && (64...127).contains(b))
            || (a == 169 && b == 254)
            || (a == 172 && (16...31).contains(b))
            || (a == 192 && b == 168)
            || (a == 192 && b == 0 && octets[2] == 0)
            || (a == 198 && (18...19).contains(b))
    }

    /// The four octets of a dotted-quad IPv4 address (no leading zeros).
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part),
                part == "0" || !part.hasPrefix("0")
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The eight words of an IPv6 address, brackets and zone allowed.
    public static func ipv6(_ text: String) -> [UInt16]? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func words(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, group) in groups.enumerated() {
                if index == groups.count - 1, group.contains("."), let v4 = ipv4(String(group)) {
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(group.count), let word = UInt16(group, radix: 16) else { return nil }
                result.append(word)
            }
            return result
        }
        guard let head = words(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = words(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}

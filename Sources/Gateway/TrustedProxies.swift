import AuthorizationServer
import Foundation

/// The proxies in front of this server whose `X-Forwarded-For` is believed
/// (`GATEHOUSE_TRUSTED_PROXIES`), so per-client decisions such as the
/// registration rate limit count clients rather than the proxy.
///
/// Anyone can send the header, so it is read only when the connection
/// comes from a listed proxy, and then from the right: each trusted proxy
/// appends the address it was reached from, and the first hop that is not
/// itself a trusted proxy is the client. Entries to its left were written
/// by the client and are never looked at.
public struct TrustedProxies: Sendable, Equatable {
    /// An address range: the first `prefixLength` bits of `address`.
    struct Network: Sendable, Equatable {
        var address: [UInt8]
        var prefixLength: Int

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var remaining = prefixLength
            for (mine, theirs) in zip(address, other) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if mine & mask != theirs & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    let networks: [Network]

    /// Trusts no proxy: the connection's peer is the client.
    public init() { networks = [] }

    /// A comma- or space-separated list of addresses and CIDR ranges, e.g.
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`.
    public init(parsing text: String) throws(Invalid) {
        var networks: [Network] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = Self.bytes(String(parts[0])) else {
                throw Invalid(description: "GATEHOUSE_TRUSTED_PROXIES: '\(entry)' is not an IP address or a CIDR range such as 10.0.0.0/8")
            }
            var prefixLength = address.count * 8
            if parts.count == 2 {
                guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
                    (0...address.count * 8).contains(length)
                else {
                    throw Invalid(description: "GATEHOUSE_TRUSTED_PROXIES: '\(entry)' has a prefix length outside 0...\(address.count * 8)")
                }
                prefixLength = length
            }
            networks.append(Network(address: address, prefixLength: prefixLength))
        }
        self.networks = networks
    }

    public var isEmpty: Bool { networks.isEmpty }

    func isTrusted(_ address: [UInt8]) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The address per-client decisions use: the peer's, or, when the peer
    /// is a trusted proxy, the rightmost forwarded hop that is not one. A
    /// hop that is not an address ends the walk at the last one vouched for.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String {
        guard let peer, let peerBytes = Self.bytes(peer) else { return peer ?? "unknown" }
        var client = Self.text(peerBytes)
        guard isTrusted(peerBytes) else { return client }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            guard let bytes = Self.bytes(Self.host(of: hop)) else { return client }
            client = Self.text(bytes)
            if !isTrusted(bytes) { return client }
        }
        return client
    }

    /// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::7` or `[2001:db8::7]:443`
    /// without the port.
    static func host(of hop: Substring) -> String {
        let trimmed = hop.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
        }
        if trimmed.filter({ $0 == ":" }).count == 1, let colon = trimmed.firstIndex(of: ":") {
            return String(trimmed[..<colon])
        }
        return trimmed
    }

    /// 4 bytes for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6.
    static func bytes(_ text: String) -> [UInt8]? {
        if let octets = AddressPolicy.ipv4(text) { return octets }
        guard let words = AddressPolicy.ipv6(text) else { return nil }
        if words[0..<5].allSatisfy({ $0 == 0 }), words[5] == 0xFFFF {
            return [UInt8(words[6] >> 8), UInt8(words[6] & 0xFF), UInt8(words[7] >> 8), UInt8(words[7] & 0xFF)]
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// One spelling per address, so a client is one key whatever the form.
    static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count, by: 2)
            .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

import Configuration
import Testing

@testable import Gateway

@Suite("Trusted proxies and the client address")
struct TrustedProxiesTests {
    let proxies = try! TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.10 fd00::/8")

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() {
        let none = TrustedProxies()
        #expect(none.clientAddress(peer: "10.1.2.3", forwardedFor: ["203.0.113.7"]) == "10.1.2.3")
        #expect(none.clientAddress(peer: nil, forwardedFor: ["203.0.113.7"]) == "unknown")
    }

    @Test func aPeerThatIsNotAListedProxyIsTheClient() {
        #expect(proxies.clientAddress(peer: "198.51.100.4", forwardedFor: ["203.0.113.7"]) == "198.51.100.4")
    }

    @Test func behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
        // The client forged the first entry; the proxies appended the rest.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["6.6.6.6, 203.0.113.7, 10.0.0.1"]) == "203.0.113.7")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["6.6.6.6", "203.0.113.7", "192.168.1.10"]) == "203.0.113.7")
        #expect(proxies.clientAddress(peer: "::ffff:10.0.0.2", forwardedFor: ["203.0.113.8"]) == "203.0.113.8")
        #expect(proxies.clientAddress(peer: "fd00::1", forwardedFor: ["[2001:db8::7]:443"]) == "2001:db8:0:0:0:0:0:7")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["203.0.113.9:51234"]) == "203.0.113.9")
    }

    @Test func onlyTrustedHopsMeansTheLeftmostOfThem() {
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["10.0.0.3, 10.0.0.4"]) == "10.0.0.3")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
    }

    @Test func aHopThatIsNotAnAddressStopsAtTheLastOneVouchedFor() {
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["203.0.113.7, unknown"]) == "10.0.0.2")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwardedFor: ["garbage, 10.0.0.9"]) == "10.0.0.9")
    }

    @Test func rangesMatchOnTheirPrefixOnly() throws {
        let list = try TrustedProxies(parsing: "172.16.0.0/12,2001:db8::/32")
        #expect(list.isTrusted([172, 31, 255, 255]))
        #expect(!list.isTrusted([172, 32, 0, 0]))
        #expect(list.isTrusted([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0xff, count: 12)))
        #expect(!list.isTrusted([0x20, 0x01, 0x0d, 0xb9] + Array(repeating: 0, count: 12)))
        let everyIPv4 = try TrustedProxies(parsing: "0.0.0.0/0")
        #expect(everyIPv4.isTrusted([203, 0, 113, 7]) && !everyIPv4.isTrusted(Array(repeating: 0, count: 15) + [1]))
        #expect(try TrustedProxies(parsing: "").isEmpty)
    }

    @Test(arguments: ["proxy.internal", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/+8", "300.1.1.1", "10.0.0.0/8/8"])
    func badEntriesAreClearErrors(entry: String) {
        #expect(throws: TrustedProxies.Invalid.self) { try TrustedProxies(parsing: "10.0.0.1, \(entry)") }
    }

    @Test func theSettingIsReadAndValidated() throws {
        let good = try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: [
            "gatehouse.trusted.proxies": "10.0.0.0/8",
        ])))
        #expect(good.trustedProxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(GatewaySettings().trustedProxies.isEmpty, "none by default")
        do {
            _ = try GatewaySettings(reader: ConfigReader(provider: InMemoryProvider(values: ["gatehouse.trusted.proxies": "lb.example"])))
            Issue.record("an unparsable proxy list was accepted")
        } catch let error as GatewaySettings.Invalid {
            #expect(error.description.contains("GATEHOUSE_TRUSTED_PROXIES") && error.description.contains("lb.example"))
        }
    }
}

import Testing

@testable import Upstream

@Suite struct HTTP1TargetTests {
    @Test func aURLIsSplitIntoConnectionHostHeaderAndTarget() throws {
        let target = try #require(HTTP1Target(url: "http://api.internal:8080/v1/items?q=1#top"))
        #expect(target.host == "api.internal")
        #expect(target.port == 8080)
        #expect(target.authority == "api.internal:8080")
        #expect(target.requestTarget == "/v1/items?q=1")
        #expect(target.key == "http://api.internal:8080")
        #expect(!target.secure)
    }

    @Test func httpsDefaultsToPort443AndKeepsItsOwnPool() throws {
        let target = try #require(HTTP1Target(url: "HTTPS://api.internal/v1"))
        #expect(target.secure)
        #expect(target.port == 443)
        #expect(target.key == "https://api.internal:443")
        #expect(!target.hostIsIPAddress)
        #expect(try #require(HTTP1Target(url: "https://10.1.2.3:8443/")).hostIsIPAddress)
        #expect(try #require(HTTP1Target(url: "https://[::1]/")).hostIsIPAddress)
    }

    @Test func defaultsFillWhatTheURLLeavesOut() throws {
        let bare = try #require(HTTP1Target(url: "HTTP://api.internal"))
        #expect(bare.port == 80)
        #expect(bare.requestTarget == "/")
        #expect(bare.authority == "api.internal")
        #expect(try #require(HTTP1Target(url: "http://api.internal?x=1")).requestTarget == "/?x=1")
    }

    @Test func anIPv6LiteralKeepsItsPort() throws {
        let target = try #require(HTTP1Target(url: "http://[::1]:9000/x"))
        #expect(target.host == "::1")
        #expect(target.port == 9000)
        #expect(target.authority == "[::1]:9000")
    }

    @Test func whatItDoesNotTakeApartGoesElsewhere() {
        for url in [
            "http://user:secret@api.internal/", "http://api.internal:0/", "http://api.internal:99999/",
            "http://api.internal:port/", "http:///path", "http://[::1/", "http://api.internal/a b", "ftp://api.internal/",
        ] {
            #expect(HTTP1Target(url: url) == nil, "\(url)")
        }
    }
}

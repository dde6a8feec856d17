import Foundation
import Synchronization

/// Fetches a client metadata document: the seam between the client rules
/// and the network (tests serve documents from memory).
public protocol MetadataDocumentFetcher: Sendable {
    /// GETs `url` with a timeout and a size cap; returns status, body and
    /// the `Cache-Control` max-age when the answer gave one.
    func fetch(_ url: String, maximumBytes: Int) async throws -> (status: Int, body: [UInt8], maxAge: Int?)
}

/// Looks host names up, so addresses can be checked before any fetch.
public protocol HostResolver: Sendable {
    func addresses(of host: String) async throws -> [String]
}

/// Finds the client behind a `client_id`: a metadata document URL is
/// fetched (and cached); anything else must have been registered or listed
/// by the operator.
public final class ClientResolver: Sendable {
    let store: any AuthStore
    let fetcher: any MetadataDocumentFetcher
    let hosts: any HostResolver
    let policy: RedirectURIPolicy
    /// Lets metadata documents come from loopback and private addresses
    /// (tests, labs); off by default.
    let allowInternalAddresses: Bool
    let cache: Mutex<[String: (client: RegisteredClient, until: ContinuousClock.Instant)]>
    static let defaultMaxAge = 3600
    static let maximumCacheEntries = 1000

    public init(
        store: any AuthStore, fetcher: any MetadataDocumentFetcher, hosts: any HostResolver, policy: RedirectURIPolicy,
        allowInternalAddresses: Bool = false
    ) {
        self.store = store
        self.fetcher = fetcher
        self.hosts = hosts
        self.policy = policy
        self.allowInternalAddresses = allowInternalAddresses
        self.cache = Mutex([:])
    }

    public func client(id clientID: String) async throws(OAuthError) -> RegisteredClient {
        if ClientMetadataDocument.isDocumentURL(clientID) { return try await documentClient(clientID) }
        let stored: StoredClient?
        do { stored = try await store.client(id: clientID) } catch { throw OAuthError("server_error", "the client store failed", status: 500) }
        guard let stored else { throw OAuthError.invalidClient("unknown client \(clientID)") }
        return stored.client
    }

    func documentClient(_ url: String) async throws(OAuthError) -> RegisteredClient {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[url] }), cached.until > now { return cached.client }
        guard let host = URLComponents(string: url)?.host else { throw OAuthError.invalidClient("client_id is not a valid URL") }
        if !allowInternalAddresses {
            let addresses: [String]
            do { addresses = try await hosts.addresses(of: host) } catch {
                throw OAuthError.invalidClient("the host of the client metadata document (\(host)) could not be resolved")
            }
            guard !addresses.isEmpty, !addresses.contains(where: AddressPolicy.isInternal) else {
                throw OAuthError.invalidClient("the client metadata document's host \(host) has a private or loopback address")
            }
        }
        let answer: (status: Int, body: [UInt8], maxAge: Int?)
        do { answer = try await fetcher.fetch(url, maximumBytes: 5 * 1024) } catch {
            throw OAuthError.invalidClient("the client metadata document could not be fetched: \(error)")
        }
        guard answer.status == 200 else {
            throw OAuthError.invalidClient("the client metadata document answered HTTP \(answer.status)")
        }
        let client: RegisteredClient
        do { client = try ClientMetadataDocument.client(from: answer.body, url: url, policy: policy) } catch {
            throw OAuthError.invalidClient(error.description)
        }
        let maxAge = min(max(answer.maxAge ?? Self.defaultMaxAge, 60), 86_400)
        cache.withLock { cache in
            if cache.count >= Self.maximumCacheEntries { cache.removeAll() }
            cache[url] = (client, now + .seconds(maxAge))
        }
        return client
    }
}

/// Resolves with the system resolver.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: buffer))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

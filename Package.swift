// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "gatehouse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Without its default ExternalLoading trait: only local references are resolved.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0", traits: []),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Only the OTLP/HTTP exporter: its default gRPC trait would bring a gRPC stack the gateway does not use.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // JSON values, a strict parser and a fast writer shared by every layer.
        .target(
            name: "GatehouseJSON",
            dependencies: [
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON Schema compiled once to a table of nodes, then validated without allocating.
        .target(name: "JSONSchema", dependencies: ["GatehouseJSON"], swiftSettings: swiftSettings),
        // Who is calling: what a verified token says, carried from OAuth through
        // the protocol to connector templates.
        .target(
            name: "Caller",
            dependencies: ["GatehouseJSON", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: swiftSettings
        ),
        // Token buckets per caller, for tool calls and for client registration.
        .target(name: "RateLimiting", swiftSettings: swiftSettings),
        // The connector file format: decoding, validation, secrets, input schemas.
        .target(
            name: "ConnectorModel",
            dependencies: [
                "Caller",
                "GatehouseJSON",
                "JSONSchema",
                "RateLimiting",
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Immutable snapshots of every tool and the folder loader that builds them.
        .target(
            name: "Catalog",
            dependencies: [
                "ConnectorModel", "GatehouseJSON", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tool call → HTTP request → MCP content.
        .target(
            name: "Upstream",
            dependencies: [
                "Caller",
                "ConnectorModel",
                "GatehouseJSON",
                "RateLimiting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON-RPC and MCP for both protocol eras, with no networking.
        .target(
            name: "MCPProtocol",
            dependencies: [
                "Caller",
                "GatehouseJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // The MCP endpoint as an OAuth 2.1 resource server: token checks,
        // protected resource metadata, challenges.
        .target(
            name: "OAuth",
            dependencies: [
                "Caller", "GatehouseJSON",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The gateway as an OAuth client of token endpoints: tokens for
        // upstream APIs, kept until shortly before they expire.
        .target(
            name: "TokenGrants",
            dependencies: ["GatehouseJSON", "OAuth"],
            swiftSettings: swiftSettings
        ),
        // Wiring: HTTP routes, settings, lifecycle.
        .target(
            name: "Gateway",
            dependencies: [
                "AuthorizationServer", "Caller", "Catalog", "ConnectorModel", "GatehouseJSON", "MCPProtocol", "OAuth", "RateLimiting",
                "TokenGrants", "Upstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // OpenTelemetry export over OTLP/HTTP, turned on by the standard OTEL_* variables.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Connector test cases run offline against recorded answers (`gatehouse test`).
        .target(
            name: "ConnectorTesting",
            dependencies: ["Caller", "Catalog", "ConnectorModel", "GatehouseJSON", "Upstream"],
            swiftSettings: swiftSettings
        ),
        // A deployed endpoint checked from outside, as Claude meets it (`gatehouse doctor`).
        .target(
            name: "DeploymentDoctor",
            dependencies: [
                "GatehouseJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // OpenAPI 3.0/3.1 documents → connector files (`gatehouse import-openapi`).
        .target(
            name: "OpenAPIImport",
            dependencies: [
                "ConnectorModel", "GatehouseJSON",
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built-in OAuth authorization server: clients, consent, codes, tokens.
        .target(
            name: "AuthorizationServer",
            dependencies: [
                "GatehouseJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                "Caller", "OAuth",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: [
                "Gateway", "Catalog", "ConnectorModel", "ConnectorTesting", "DeploymentDoctor", "OpenAPIImport", "Telemetry", "Upstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The framework floor: Hummingbird + AsyncHTTPClient with no gateway
        // work, measured beside the gateway by Benchmarks/run.sh.
        .executableTarget(
            name: "gatehouse-floor",
            dependencies: [
                "Upstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/Floor"
        ),
        // Micro-benchmarks of the hot path: `swift run -c release gatehouse-bench`.
        .executableTarget(
            name: "gatehouse-bench",
            dependencies: [
                "AuthorizationServer", "Caller", "Catalog", "ConnectorModel", "GatehouseJSON", "Gateway", "MCPProtocol", "OAuth",
                "Telemetry", "Upstream",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/Micro",
            swiftSettings: swiftSettings
        ),
        // The module map in docs/development.md, held against the imports.
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "GatehouseJSONTests", dependencies: ["GatehouseJSON"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "GatehouseJSON"]),
        .testTarget(name: "ConnectorModelTests", dependencies: ["ConnectorModel", "GatehouseJSON", "GatehouseTesting", "RateLimiting"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "ConnectorModel", "GatehouseJSON", "GatehouseTesting"]),
        .testTarget(
            name: "AuthorizationServerTests",
            dependencies: [
                "AuthorizationServer", "Caller", "GatehouseJSON", "OAuth", "OAuthTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "UpstreamTests",
            dependencies: [
                "Upstream", "Caller", "ConnectorModel", "GatehouseJSON", "GatehouseTesting", "RateLimiting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(name: "RateLimitingTests", dependencies: ["RateLimiting"]),
        .testTarget(
            name: "ConnectorTestingTests",
            dependencies: ["ConnectorTesting", "ConnectorModel", "GatehouseJSON", "GatehouseTesting", "Upstream"]),
        .testTarget(
            name: "DeploymentDoctorTests",
            dependencies: [
                "DeploymentDoctor", "GatehouseJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(name: "TokenGrantsTests", dependencies: ["TokenGrants", "GatehouseJSON", "OAuth"]),
        .testTarget(name: "MCPProtocolTests", dependencies: ["MCPProtocol", "Caller", "GatehouseJSON"]),
        .testTarget(
            name: "OpenAPIImportTests",
            dependencies: ["OpenAPIImport", "ConnectorModel", "GatehouseJSON", .product(name: "Yams", package: "Yams")]
        ),
        // What many test targets need: a scripted upstream, temporary connector folders,
        // a gateway built as `gatehouse serve` builds it.
        .target(
            name: "GatehouseTesting",
            dependencies: [
                "ConnectorModel", "Gateway", "Upstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/GatehouseTesting",
            swiftSettings: swiftSettings
        ),
        // Fakes and key material shared by the OAuth and gateway tests.
        .target(
            name: "OAuthTestSupport",
            dependencies: ["OAuth", "GatehouseJSON", .product(name: "JWTKit", package: "jwt-kit")],
            path: "Tests/OAuthTestSupport"
        ),
        .testTarget(
            name: "OAuthTests",
            dependencies: [
                "OAuth", "OAuthTestSupport", "Caller", "ConnectorModel", "GatehouseJSON", .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "AuthorizationServer", "Gateway", "GatehouseTesting", "Caller", "Catalog", "ConnectorModel", "MCPProtocol", "OAuth",
                "OAuthTestSupport", "TokenGrants",
                "Upstream", "GatehouseJSON",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ]
)

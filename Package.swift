// swift-tools-version: 6.2
import PackageDescription

// Every target builds in the Swift 6 language mode with strict concurrency, and
// imports are internal unless a module says `public import` (its surface shows
// in its imports).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Aviso",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "avisod", targets: ["avisod"]),
        .executable(name: "aviso", targets: ["aviso"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Domain types and policies. No I/O: clock, randomness and gateways come in as protocols.
        .target(
            name: "AvisoCore",
            dependencies: [
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // GRDB schema, migrations, repositories, the outbox and the audit chain.
        .target(
            name: "AvisoStore",
            dependencies: [
                "AvisoCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // libcurl, for SMTP with STARTTLS or implicit TLS (headers from libcurl4-openssl-dev).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The real senders: the spool gateway, Twilio-compatible SMS, SMTP email through libcurl.
        .target(
            name: "AvisoGateways",
            dependencies: [
                "AvisoCore",
                "CCurl",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon's Prometheus instruments: counters, gauges and histograms, and their text exposition.
        .target(
            name: "AvisoMetrics",
            dependencies: [
                .product(name: "Prometheus", package: "swift-prometheus")
            ],
            swiftSettings: swiftSettings
        ),
        // Hummingbird routes: the JSON API under /v1/ and operations endpoints.
        .target(
            name: "AvisoServer",
            dependencies: [
                "AvisoCore",
                "AvisoStore",
                "AvisoMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration, template files, the dispatcher and the service wiring of avisod.
        .target(
            name: "AvisoDaemon",
            dependencies: [
                "AvisoCore",
                "AvisoStore",
                "AvisoGateways",
                "AvisoServer",
                "AvisoMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "avisod",
            dependencies: [
                "AvisoDaemon",
                "AvisoCore",
                "AvisoStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The staff client: talks only to the daemon's HTTP API.
        .target(
            name: "AvisoClient",
            dependencies: [
                "AvisoCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "aviso",
            dependencies: [
                "AvisoClient",
                "AvisoCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test doubles that behave like the real adapters, and fixtures shared by the test targets.
        .target(
            name: "AvisoTesting",
            dependencies: ["AvisoCore", "AvisoStore"],
            swiftSettings: swiftSettings
        ),
        // SPEC §8 measurements: `swift run -c release aviso-bench fanout|dispatch` (see README).
        .executableTarget(
            name: "aviso-bench",
            dependencies: [
                "AvisoCore", "AvisoStore", "AvisoGateways", "AvisoDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/aviso-bench",
            swiftSettings: swiftSettings
        ),
        // What each fuzz target checks of one input, shared by the libFuzzer binary and the regression tests.
        .target(
            name: "AvisoFuzzChecks",
            dependencies: ["AvisoCore"],
            path: "Tests/Fuzz/AvisoFuzzChecks",
            swiftSettings: swiftSettings
        ),
        // The libFuzzer binary (scripts/fuzz builds it with -sanitize=fuzzer).
        .executableTarget(
            name: "aviso-fuzz",
            dependencies: ["AvisoFuzzChecks"],
            path: "Tests/Fuzz/aviso-fuzz",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoCoreTests",
            dependencies: ["AvisoCore", "AvisoTesting", "AvisoFuzzChecks"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoStoreTests",
            dependencies: [
                "AvisoCore", "AvisoStore", "AvisoTesting", "AvisoDaemon", "AvisoClient", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoServerTests",
            dependencies: [
                "AvisoCore", "AvisoStore", "AvisoServer", "AvisoDaemon", "AvisoGateways", "AvisoTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoGatewaysTests",
            dependencies: [
                "AvisoCore", "AvisoGateways", "AvisoStore", "AvisoDaemon", "AvisoTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoDaemonTests",
            dependencies: [
                "AvisoCore", "AvisoStore", "AvisoDaemon", "AvisoGateways", "AvisoMetrics", "AvisoTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AvisoEndToEndTests",
            dependencies: ["AvisoCore", "AvisoTesting", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Set CDRSTORE_BENCHMARKS=1 to build the package-benchmark targets (they add ~90 s to a build).
let withBenchmarks = ProcessInfo.processInfo.environment["CDRSTORE_BENCHMARKS"] != nil
/// Set CDRSTORE_FUZZ=1 to build the libFuzzer target (with `-sanitize=fuzzer`; see Fuzz/run.sh).
let withFuzzer = ProcessInfo.processInfo.environment["CDRSTORE_FUZZ"] != nil

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

var package = Package(
    name: "cdrstore",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cdrstore", targets: ["cdrstore"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "Postgres", dependencies: ["CLibPQ"], swiftSettings: strict),
        .target(name: "CDRModel", dependencies: ["CCrypto"], swiftSettings: strict),
        .target(name: "Feeds", dependencies: ["CDRModel"], swiftSettings: strict),
        .target(
            name: "Schema",
            path: "sql",
            exclude: ["README.md"],
            resources: [
                .embedInCode("001_schema.sql"), .embedInCode("002_retention.sql"), .embedInCode("003_call_legs.sql"),
                .embedInCode("004_billing.sql"), .embedInCode("005_lawful_access.sql"),
                .embedInCode("006_commit_before_disclose.sql"), .embedInCode("007_identifier_days.sql"),
                .embedInCode("008_held_results.sql"),
                .embedInCode("009_indexed_partitions.sql"), .embedInCode("010_hold_covers.sql"),
                .embedInCode("011_hold_in_force.sql"),
                .embedInCode("roles.sql"), .embedInCode("citus.sql"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Store", dependencies: ["Postgres", "CDRModel", "Feeds", "Schema", "Billing", "Handover"],
            swiftSettings: strict),
        .target(name: "Generator", dependencies: ["CDRModel"], swiftSettings: strict),
        .target(name: "Billing", dependencies: ["CDRModel", "Feeds"], swiftSettings: strict),
        .target(name: "Handover", dependencies: ["CDRModel"], swiftSettings: strict),
        .target(
            name: "Server",
            dependencies: [
                "Store", "Feeds", "Postgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cdrstore",
            dependencies: [
                "Store", "Feeds", "Generator", "Postgres", "Server", "Billing", "Handover",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport", dependencies: ["Postgres", "Store"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CDRModelTests", dependencies: ["CDRModel"], swiftSettings: strict),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds"], exclude: ["Captures"], swiftSettings: strict),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "Feeds"], swiftSettings: strict),
        .testTarget(name: "BillingTests", dependencies: ["Billing", "CDRModel"], swiftSettings: strict),
        .testTarget(name: "HandoverTests", dependencies: ["Handover", "CDRModel"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "Feeds", "Generator", "Schema", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "Postgres", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict),
    ]
)

if withBenchmarks {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "ParserBenchmarks",
            dependencies: [
                "Feeds", "Generator",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ParserBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

if withFuzzer {
    // The parsers' targets apart from serve's configuration, so that their binary carries no
    // coverage counters of the HTTP server's packages (libFuzzer scans them all after every input).
    package.targets += [
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver", swiftSettings: strict),
        .executableTarget(
            name: "CDRFuzz", dependencies: ["FuzzDriver", "Feeds", "Billing"], path: "Fuzz/CDRFuzz",
            swiftSettings: strict),
        .executableTarget(
            name: "ConfigFuzz", dependencies: ["FuzzDriver", "Server"], path: "Fuzz/ConfigFuzz",
            swiftSettings: strict),
    ]
}

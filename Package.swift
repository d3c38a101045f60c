// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "eventserver",
    products: [
        .executable(name: "eventserver", targets: ["EventServerCommand"]),
        .library(name: "EventServer", targets: ["EventServer"]),
        .library(name: "Routes", targets: ["Routes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CEvent",
            path: "Sources/CEvent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        .target(
            name: "EventServer",
            dependencies: [
                "CEvent",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                // The loop is single-threaded and every access to shared state happens on it, so
                // the run-time exclusivity checks (~900 instructions a request, by callgrind)
                // guard nothing here. Debug builds and tests keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .target(
            name: "Routes",
            dependencies: ["EventServer"]
        ),
        .executableTarget(
            name: "EventServerCommand",
            dependencies: [
                "EventServer",
                "Routes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "EventServerTests", dependencies: ["EventServer"]),
        .testTarget(name: "RoutesTests", dependencies: ["Routes", "EventServer"]),
        .testTarget(name: "IntegrationTests", dependencies: ["EventServerCommand"]),
    ],
    swiftLanguageModes: [.v6]
)

// Micro-benchmarks are opt-in, so `swift build` and `swift test` never fetch ordo-one/benchmark:
//   EVENTSERVER_BENCHMARKS=1 swift package --allow-writing-to-directory .benchmarks benchmark
if Context.environment["EVENTSERVER_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "RouteBenchmarks",
            dependencies: ["EventServer", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/RouteBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}

// The libFuzzer target is opt-in too; `make check-robust` builds it with the fuzzer sanitizer:
//   EVENTSERVER_FUZZ=1 swift build --product EventServerFuzz --sanitize fuzzer --sanitize address
if Context.environment["EVENTSERVER_FUZZ"] != nil {
    package.products.append(.executable(name: "EventServerFuzz", targets: ["EventServerFuzz"]))
    package.targets.append(
        .executableTarget(
            name: "EventServerFuzz",
            dependencies: ["EventServer"],
            path: "Robustness/Fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}

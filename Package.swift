// swift-tools-version:6.1
import PackageDescription

// No target that the library products (EventServer, Routes, LibeventTuning) reach has unsafe
// flags: SwiftPM refuses a package depended on by version otherwise. What the flags once did is
// done in the code (`@exclusivity(unchecked)` on the loop-confined hot state) or by the scripts
// that need it (valgrind's DWARF 4: `-Xcc -gdwarf-4` on Benchmarks/callgrind.sh's build line).

// The release binary's link, measured by Benchmarks/rss.sh (resident memory under load):
// - lld's packed relocations (DT_RELR, glibc 2.36): a position-independent binary is relocated
//   at start-up, 40,000 relative relocations kept in 960 KB of tables, all read, and the pages
//   they patch; packed, the same relocations take 8 KB. 1 MiB less.
// - libstdc++ from GCC's static archive (Tools/static-libstdc++ explains how): 0.5-0.9 MiB less,
//   and one shared library fewer to install where the binary is copied.
let compactReleaseLink: LinkerSetting = .unsafeFlags(
    [
        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-L\(Context.packageDirectory)/Tools/static-libstdc++",
    ],
    .when(configuration: .release))

let package = Package(
    name: "eventserver",
    products: [
        .executable(name: "eventserver", targets: ["EventServerCommand"]),
        .library(name: "EventServer", targets: ["EventServer"]),
        .library(name: "Routes", targets: ["Routes"]),
        // Process-wide libevent tuning, an application's explicit choice (README, "Embedding"):
        // linking it gives libevent free-list memory and three faster functions in the whole
        // process. The eventserver binary links it; EventServer alone does not.
        .library(name: "LibeventTuning", targets: ["CEventAllocator", "CEventOverrides"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Route modules' own metrics: recorded through swift-metrics, exposed in /metrics.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // Layers, lowest first; a target may depend only on targets above it in this list, and the
        // compiler enforces it (docs/architecture.md draws the picture).
        //
        // HTTP values and the handler contract: no target dependency (the standard library,
        // Synchronization, and Foundation's essentials for JSON replies).
        .target(name: "HTTPCore"),
        // Process-level helpers (files, clock, stderr, socket addresses) and the shared errors.
        .target(name: "EventServerSupport"),
        // prctl is variadic, which Swift cannot call: one inline wrapper, no libevent.
        .systemLibrary(name: "CProcessControl", path: "Sources/CProcessControl"),
        // SCM_RIGHTS needs the CMSG_* macros: two C functions pass descriptors for upgrades.
        .target(name: "CSocketPassing"),
        .systemLibrary(
            name: "CEvent",
            path: "Sources/CEvent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        // TLS for the transport and the client: OpenSSL and libevent_openssl are loaded (dlopen)
        // only when TLS is first asked for, so a plain-HTTP server never maps them. Their
        // headers (libssl-dev) give each function's type; nothing links them.
        // (libevent itself is linked: the right libevent_openssl is found next to it.)
        .target(name: "CTLS", linkerSettings: [.linkedLibrary("event")]),
        // The bytes a TCP peer acknowledged (TCP_INFO), for `--timeout`'s view of a reply going out.
        .target(name: "CTCPProgress"),
        // The LibeventTuning product. Nothing in the library products depends on these: the
        // transport finds them through weak references (Sources/CEvent/shim.h) when an
        // executable links them, and reports what is in effect (`LibeventRuntime`).
        // libevent's memory from per-size free lists (installed before main; see its header).
        .target(name: "CEventAllocator", linkerSettings: [.linkedLibrary("event")]),
        // Three libevent functions called on every request (evbuffer_add_printf,
        // evutil_ascii_strcasecmp, evbuffer_read), defined again, faster, by the executable:
        // libevent reaches them through its PLT (see the target's header).
        .target(name: "CEventOverrides", linkerSettings: [.linkedLibrary("event"), .linkedLibrary("dl")]),
        // HTTP/2 framing (nghttp2: no I/O of its own), for the transport alone.
        .systemLibrary(
            name: "CNGHTTP2",
            path: "Sources/CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        // The transport: the only target that imports CEvent and CNGHTTP2. Swift values in and out.
        .target(
            name: "Evhttp",
            dependencies: ["CEvent", "CNGHTTP2", "CTLS", "CTCPProgress", "HTTPCore", "EventServerSupport"]
        ),
        .target(name: "Routing", dependencies: ["HTTPCore"]),
        .target(name: "Maintenance", dependencies: ["HTTPCore", "EventServerSupport"]),
        // Composes transport, routing, maintenance and operations into `Server`.
        .target(
            name: "EventServer",
            dependencies: [
                "HTTPCore", "EventServerSupport", "Evhttp", "Routing", "Maintenance", "CProcessControl", "CSocketPassing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "Routes", dependencies: ["EventServer"]),
        // The one HTTP/1.1 client: `ctl` reads /status with it, the tests drive the server with it.
        // CTLS for the client's https (ctl reading a TLS server's /status).
        .target(name: "EventServerClient", dependencies: ["CTLS"]),
        .executableTarget(
            name: "EventServerCommand",
            dependencies: [
                "EventServer",
                "Routes",
                "EventServerClient",
                "CSocketPassing",
                "CEventAllocator",
                "CEventOverrides",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [compactReleaseLink]
        ),
        // What every test target shares: the client and a runner for the real binary.
        .target(name: "EventServerTesting", dependencies: ["EventServerClient"], path: "Tests/EventServerTesting"),
        .testTarget(
            name: "EventServerTests",
            dependencies: ["EventServer", "Evhttp", "CEventAllocator", "CEventOverrides", "CEvent", .product(name: "CoreMetrics", package: "swift-metrics")]),
        .testTarget(name: "RoutesTests", dependencies: ["Routes", "EventServer"]),
        // A server with async and streaming routes, which the `eventserver` binary does not have;
        // tuned as `eventserver` is (LibeventTuning), so its figures are a deployment's.
        .executableTarget(
            name: "AsyncFixture", dependencies: ["EventServer", "Routes", "CEventAllocator", "CEventOverrides"],
            path: "Tests/AsyncFixture"),
        .testTarget(name: "IntegrationTests", dependencies: ["EventServerCommand", "AsyncFixture", "EventServerTesting"]),
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

// API documentation is opt-in as well (`make docs`), so builds and tests never fetch the plugin:
//   EVENTSERVER_DOCS=1 swift package generate-documentation …
if Context.environment["EVENTSERVER_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}

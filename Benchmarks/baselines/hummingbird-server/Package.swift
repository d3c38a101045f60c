// swift-tools-version:6.1
// Hummingbird 2 baseline for Benchmarks/load.sh (opt-in: SERVERS=... hummingbird): GET / answers
// the same greeting as eventserver; SIGUSR1/SIGUSR2 flip an atomic flag that a middleware reads
// to answer the same 503 page. One NIO event loop thread, to compare one core with one core.
import PackageDescription

let package = Package(
    name: "HummingbirdBaseline",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdBaseline",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
